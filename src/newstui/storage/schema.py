"""The SQLite schema: `SCHEMA_VERSION` and the migrations that reach it, keyed by `PRAGMA user_version`."""

from __future__ import annotations

from newstui.storage.schema_early import EARLY_MIGRATIONS

SCHEMA_VERSION = 18
APPLICATION_ID = 0x4E575354  # "NWST": marks the file as ours, so a foreign database is refused

MIGRATIONS: dict[int, str] = {
    **EARLY_MIGRATIONS,
    # 10: the indexes a query's page is read from carry the columns queries filter on, so a
    # search tests articles in the index's order without reading their rows (storage.queries'
    # `_query_page`): the first page of a common word among 1,000,000 articles took a second.
    10: """
DROP INDEX articles_sort;
CREATE INDEX articles_sort ON articles(
    sort_date DESC, id DESC, feed_id, read, hidden, bookmarked, published, dup_of
);
DROP INDEX articles_published;
CREATE INDEX articles_published ON articles(
    published, id, feed_id, read, hidden, bookmarked, dup_of
) WHERE published IS NOT NULL;
""",
    # 11: tags compare without case. A library that holds one tag in several spellings keeps
    # one of them (the spelling of the earliest feed that has it) for every feed.
    11: """
CREATE TEMP TABLE tag_spelling AS
    SELECT lower(t.tag) AS k,
        (SELECT t2.tag FROM feed_tags t2 WHERE lower(t2.tag) = lower(t.tag)
            ORDER BY t2.feed_id, t2.tag LIMIT 1) AS tag
    FROM feed_tags t GROUP BY lower(t.tag);
INSERT OR IGNORE INTO feed_tags(feed_id, tag)
    SELECT f.feed_id, s.tag FROM feed_tags f JOIN tag_spelling s ON s.k = lower(f.tag);
DELETE FROM feed_tags WHERE tag NOT IN (SELECT tag FROM tag_spelling);
DROP TABLE tag_spelling;
""",
    # 12: the search index keeps no copy of the articles' text (its `_content` table was as large
    # as the articles themselves: 3.6 KB an article). It reads an article's text from the view
    # `articles_search`, made by `search_body` (storage.search) from the article's own row, and
    # triggers take an article out of it, by the same function, before its row changes or goes.
    # New articles are indexed by the code that inserts them (storage.writer, one executemany).
    # Positions are kept (phrases). Rebuilt from the articles after this script.
    12: """
DROP TABLE IF EXISTS articles_fts;
DROP VIEW IF EXISTS articles_search;
CREATE VIEW articles_search AS
    SELECT id, title, search_body(key, content, content_type, full_text) AS body, author, url
    FROM articles;
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, body, author, url, content = 'articles_search', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
DROP TRIGGER articles_del;
CREATE TRIGGER articles_del AFTER DELETE ON articles BEGIN
    UPDATE feeds SET total = total - (OLD.hidden = 0),
        unread = unread - (OLD.read = 0 AND OLD.hidden = 0),
        copies = copies - (OLD.dup_of IS NOT NULL AND OLD.hidden = 0),
        copies_unread = copies_unread - (OLD.dup_of IS NOT NULL AND OLD.hidden = 0
            AND OLD.read = 0)
        WHERE id = OLD.feed_id;
    INSERT INTO articles_fts(articles_fts, rowid, title, body, author, url) VALUES ('delete',
        OLD.id, OLD.title, search_body(OLD.key, OLD.content, OLD.content_type, OLD.full_text),
        OLD.author, OLD.url);
END;
DROP TRIGGER IF EXISTS articles_search_changed;
CREATE TRIGGER articles_search_changed
AFTER UPDATE OF key, title, content, content_type, full_text, author, url ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, body, author, url) VALUES ('delete',
        OLD.id, OLD.title, search_body(OLD.key, OLD.content, OLD.content_type, OLD.full_text),
        OLD.author, OLD.url);
    INSERT INTO articles_fts(rowid, title, body, author, url) VALUES (NEW.id, NEW.title,
        search_body(NEW.key, NEW.content, NEW.content_type, NEW.full_text), NEW.author, NEW.url);
END;
""",
    # 13: saved views' counts kept as the library changes (storage.counts): each kept view's
    # members and counts, and the articles whose matching may have changed since they were last
    # brought up to date, written by triggers only while some view's counts are kept.
    13: """
CREATE TABLE IF NOT EXISTS view_counts (
    id INTEGER PRIMARY KEY,
    query TEXT NOT NULL UNIQUE,
    total INTEGER NOT NULL,
    unread INTEGER NOT NULL,
    at REAL NOT NULL,
    last_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS view_members (
    view_id INTEGER NOT NULL,
    article_id INTEGER NOT NULL,
    read INTEGER NOT NULL,
    PRIMARY KEY (view_id, article_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS count_touched (article_id INTEGER PRIMARY KEY);
CREATE TRIGGER IF NOT EXISTS count_touch_article AFTER UPDATE OF read, bookmarked, hidden, key, title, url,
    author, published, content, content_type, full_text, enclosure ON articles
WHEN EXISTS (SELECT 1 FROM view_counts) BEGIN
    INSERT OR IGNORE INTO count_touched(article_id) VALUES (NEW.id);
END;
CREATE TRIGGER IF NOT EXISTS count_touch_gone AFTER DELETE ON articles
WHEN EXISTS (SELECT 1 FROM view_counts) BEGIN
    INSERT OR IGNORE INTO count_touched(article_id) VALUES (OLD.id);
END;
CREATE TRIGGER IF NOT EXISTS count_touch_tag_added AFTER INSERT ON article_tags
WHEN EXISTS (SELECT 1 FROM view_counts) BEGIN
    INSERT OR IGNORE INTO count_touched(article_id) VALUES (NEW.article_id);
END;
CREATE TRIGGER IF NOT EXISTS count_touch_tag_removed AFTER DELETE ON article_tags
WHEN EXISTS (SELECT 1 FROM view_counts) BEGIN
    INSERT OR IGNORE INTO count_touched(article_id) VALUES (OLD.article_id);
END;
CREATE TRIGGER IF NOT EXISTS count_touch_feed AFTER UPDATE OF title, feed_title, url, removed ON feeds
WHEN (OLD.title IS NOT NEW.title OR OLD.feed_title IS NOT NEW.feed_title
    OR OLD.url IS NOT NEW.url OR OLD.removed != NEW.removed)
    AND EXISTS (SELECT 1 FROM view_counts) BEGIN
    INSERT OR IGNORE INTO count_touched(article_id)
        SELECT id FROM articles WHERE feed_id = NEW.id;
END;
CREATE TRIGGER IF NOT EXISTS count_touch_feed_tag_added AFTER INSERT ON feed_tags
WHEN EXISTS (SELECT 1 FROM view_counts) BEGIN
    INSERT OR IGNORE INTO count_touched(article_id)
        SELECT id FROM articles WHERE feed_id = NEW.feed_id;
END;
CREATE TRIGGER IF NOT EXISTS count_touch_feed_tag_removed AFTER DELETE ON feed_tags
WHEN EXISTS (SELECT 1 FROM view_counts) BEGIN
    INSERT OR IGNORE INTO count_touched(article_id)
        SELECT id FROM articles WHERE feed_id = OLD.feed_id;
END;
""",
    # 14: the feeds' titles (as the feeds pane shows them) get a search index of their own, so
    # `feed:WORDS` is one look-up in it, not a test of every feed's title in Python.
    14: """
CREATE VIRTUAL TABLE IF NOT EXISTS feeds_fts USING fts5(
    title, tokenize = 'unicode61 remove_diacritics 2'
);
DELETE FROM feeds_fts;
INSERT INTO feeds_fts(rowid, title) SELECT id, coalesce(title, feed_title, url) FROM feeds;
CREATE TRIGGER IF NOT EXISTS feeds_fts_added AFTER INSERT ON feeds BEGIN
    INSERT INTO feeds_fts(rowid, title)
        VALUES (NEW.id, coalesce(NEW.title, NEW.feed_title, NEW.url));
END;
CREATE TRIGGER IF NOT EXISTS feeds_fts_renamed AFTER UPDATE OF title, feed_title, url ON feeds
WHEN coalesce(OLD.title, OLD.feed_title, OLD.url)
    IS NOT coalesce(NEW.title, NEW.feed_title, NEW.url) BEGIN
    DELETE FROM feeds_fts WHERE rowid = OLD.id;
    INSERT INTO feeds_fts(rowid, title)
        VALUES (NEW.id, coalesce(NEW.title, NEW.feed_title, NEW.url));
END;
CREATE TRIGGER IF NOT EXISTS feeds_fts_gone AFTER DELETE ON feeds BEGIN
    DELETE FROM feeds_fts WHERE rowid = OLD.id;
END;
""",
    # 15: saved views' counts are what their lists show: each story once (dedupe). A member keeps
    # its story (`story`: the first copy's id, NULL for a first copy), and an article whose
    # `dup_of` changes is looked at again. The kept counts are counted again once.
    15: """
DELETE FROM count_touched;
DROP TABLE IF EXISTS view_counts;
CREATE TABLE view_counts (
    id INTEGER PRIMARY KEY,
    query TEXT NOT NULL UNIQUE,
    total INTEGER NOT NULL,
    unread INTEGER NOT NULL,
    at REAL NOT NULL,
    last_id INTEGER NOT NULL,
    dedupe INTEGER NOT NULL DEFAULT 0
);
DROP TABLE IF EXISTS view_members;
CREATE TABLE view_members (
    view_id INTEGER NOT NULL,
    article_id INTEGER NOT NULL,
    read INTEGER NOT NULL,
    story INTEGER,
    PRIMARY KEY (view_id, article_id)
) WITHOUT ROWID;
CREATE INDEX view_members_story ON view_members(view_id, story) WHERE story IS NOT NULL;
DROP TRIGGER IF EXISTS count_touch_article;
CREATE TRIGGER count_touch_article AFTER UPDATE OF read, bookmarked, hidden, key, title, url,
    author, published, content, content_type, full_text, enclosure, dup_of ON articles
WHEN EXISTS (SELECT 1 FROM view_counts) BEGIN
    INSERT OR IGNORE INTO count_touched(article_id) VALUES (NEW.id);
END;
""",
    # 16: articles' text is stored compressed (domain.update.pack_text: a zlib BLOB, or the text
    # when that is not smaller), about half the file. `has_image` was a column generated by LIKE
    # over the text; it is a plain column the writer sets now, filled here while every text is
    # still text. Re-encoding an article's text leaves the search index alone: the trigger runs
    # only when what the index holds of the row changes. The articles stored before are packed
    # after this script, a batch per transaction (storage.upgrades.pack_stored_texts, resumed
    # at the next start when stopped: a row packed or not reads the same).
    16: """
DROP INDEX IF EXISTS articles_images;
ALTER TABLE articles DROP COLUMN has_image;
ALTER TABLE articles ADD COLUMN has_image INTEGER NOT NULL DEFAULT 0;
UPDATE articles SET has_image = 1 WHERE CASE content_type
    WHEN 'html' THEN content LIKE '%<img%' WHEN 'markdown' THEN content LIKE '%![%' ELSE 0 END;
CREATE INDEX articles_images ON articles(sort_date DESC, id DESC) WHERE has_image = 1;
DROP TRIGGER IF EXISTS articles_search_changed;
CREATE TRIGGER articles_search_changed
AFTER UPDATE OF key, title, content, content_type, full_text, author, url ON articles
WHEN OLD.key IS NOT NEW.key OR OLD.title IS NOT NEW.title OR OLD.author IS NOT NEW.author
    OR OLD.url IS NOT NEW.url OR OLD.content_type IS NOT NEW.content_type
    OR OLD.full_text IS NOT NEW.full_text OR (OLD.content IS NOT NEW.content
        AND search_body(OLD.key, OLD.content, OLD.content_type, OLD.full_text)
            IS NOT search_body(NEW.key, NEW.content, NEW.content_type, NEW.full_text)) BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, body, author, url) VALUES ('delete',
        OLD.id, OLD.title, search_body(OLD.key, OLD.content, OLD.content_type, OLD.full_text),
        OLD.author, OLD.url);
    INSERT INTO articles_fts(rowid, title, body, author, url) VALUES (NEW.id, NEW.title,
        search_body(NEW.key, NEW.content, NEW.content_type, NEW.full_text), NEW.author, NEW.url);
END;
INSERT INTO settings(key, value) VALUES ('upgrade.pack_texts_after', '0')
    ON CONFLICT(key) DO UPDATE SET value = excluded.value;
""",
    # 17: the titles in sort:title's order, so a search's first page in that order is a walk of
    # this index from its start (storage.queries `_query_page`), not a read of every match; and
    # `has:enclosure` / `has:fulltext` find their few articles without reading every row.
    17: """
CREATE INDEX IF NOT EXISTS articles_title ON articles(title COLLATE NOCASE, sort_date DESC, id DESC);
CREATE INDEX IF NOT EXISTS articles_enclosures ON articles(sort_date DESC, id DESC)
    WHERE enclosure IS NOT NULL;
CREATE INDEX IF NOT EXISTS articles_full_texts ON articles(sort_date DESC, id DESC)
    WHERE full_text IS NOT NULL;
""",
    # 18: a new article whose id is one a kept saved view has seen (SQLite gives the largest id
    # again after the articles above it were deleted) is looked at again by the views: a deletion
    # touched before a count was already counted, so it no longer covers the id given again.
    18: """
CREATE TRIGGER IF NOT EXISTS count_touch_reused AFTER INSERT ON articles
WHEN NEW.id <= (SELECT max(last_id) FROM view_counts) BEGIN
    INSERT OR IGNORE INTO count_touched(article_id) VALUES (NEW.id);
END;
""",
}
