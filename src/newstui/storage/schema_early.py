"""The library's first nine migrations (storage.schema holds the rest and the version): history,
kept as they were written; a change to the schema is a new migration, never an edit here."""

from __future__ import annotations

EARLY_MIGRATIONS: dict[int, str] = {
    1: """
CREATE TABLE feeds (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    title TEXT,
    feed_title TEXT,
    site_url TEXT,
    status TEXT NOT NULL DEFAULT 'never',
    error TEXT,
    http_status INTEGER,
    last_checked REAL,
    etag TEXT,
    last_modified TEXT,
    retry_after REAL,
    next_check REAL,
    full_text INTEGER NOT NULL DEFAULT 0,
    retention_days INTEGER,
    origin TEXT NOT NULL DEFAULT 'user',
    removed INTEGER NOT NULL DEFAULT 0,
    unread INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL DEFAULT 0,
    added REAL NOT NULL
);
CREATE TABLE feed_tags (
    feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (feed_id, tag)
) WITHOUT ROWID;
CREATE INDEX feed_tags_tag ON feed_tags(tag);
CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    title TEXT NOT NULL,
    url TEXT,
    author TEXT,
    site TEXT,
    published REAL,
    updated REAL,
    sort_date REAL NOT NULL,
    content TEXT NOT NULL,
    content_type TEXT NOT NULL,
    hash TEXT NOT NULL,
    read INTEGER NOT NULL DEFAULT 0,
    bookmarked INTEGER NOT NULL DEFAULT 0,
    full_text TEXT,
    first_seen REAL NOT NULL,
    UNIQUE (feed_id, key)
);
CREATE INDEX articles_sort ON articles(sort_date DESC, id DESC);
CREATE INDEX articles_feed_sort ON articles(feed_id, sort_date DESC, id DESC);
CREATE INDEX articles_unread ON articles(sort_date DESC, id DESC) WHERE read = 0;
CREATE INDEX articles_feed_unread ON articles(feed_id, sort_date DESC, id DESC) WHERE read = 0;
CREATE INDEX articles_bookmarked ON articles(sort_date DESC, id DESC) WHERE bookmarked = 1;
CREATE VIRTUAL TABLE articles_fts USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 2');
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

-- Counters kept by triggers, so start-up and the feeds pane never count the articles table.
CREATE TRIGGER articles_ins AFTER INSERT ON articles BEGIN
    UPDATE feeds SET total = total + 1, unread = unread + (NEW.read = 0) WHERE id = NEW.feed_id;
END;
CREATE TRIGGER articles_del AFTER DELETE ON articles BEGIN
    UPDATE feeds SET total = total - 1, unread = unread - (OLD.read = 0) WHERE id = OLD.feed_id;
    DELETE FROM articles_fts WHERE rowid = OLD.id;
END;
CREATE TRIGGER articles_read AFTER UPDATE OF read ON articles WHEN OLD.read != NEW.read BEGIN
    UPDATE feeds SET unread = unread + (NEW.read = 0) - (OLD.read = 0) WHERE id = NEW.feed_id;
END;
""",
    # 2: the search index keeps which column a word is in, not its positions: about a fifth less
    # indexing work per refresh and a smaller file; searches are AND of words, never phrases.
    # The index is rebuilt from the articles after this script (AFTER_MIGRATION, below).
    2: """
DROP TABLE articles_fts;
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, body, tokenize = 'unicode61 remove_diacritics 2', detail = column
);
""",
    # 3: new articles are counted by the code that inserts them (storage.writer.store_entries, one
    # UPDATE per feed); the trigger ran an UPDATE of the feed's row for every article inserted.
    # The search index keeps which articles hold a word, not which column (detail=none): a search
    # is an AND of words over title and body, never a column filter or phrase (db.fts_query), and
    # the index costs a fifth less to write. Rebuilt from the articles after this script.
    3: """
DROP TRIGGER articles_ins;
DROP TABLE articles_fts;
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, body, tokenize = 'unicode61 remove_diacritics 2', detail = none
);
""",
    # 4: sync accounts (newstui.sync). An account's feeds carry its id and the server's feed id;
    # its articles are mapped to the server's ids in account_articles (a side table, so the
    # refresh of ordinary feeds pays nothing). A local change to an account's article writes an
    # outbox row in the same transaction, by trigger, whichever code made it; the sync engine
    # applies the server's state with a row in sync_guard (inside its own transaction only), so
    # its writes queue nothing. One outbox row per (article, flag): the latest value wins, and
    # `version` tells a push that the row changed while it was being sent.
    4: """
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    url TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'never',
    error TEXT,
    last_sync REAL,
    last_ok REAL,
    cursor TEXT
);
ALTER TABLE feeds ADD COLUMN account_id INTEGER REFERENCES accounts(id) ON DELETE CASCADE;
ALTER TABLE feeds ADD COLUMN remote_id TEXT;
ALTER TABLE feeds ADD COLUMN remote_url TEXT;
CREATE UNIQUE INDEX feeds_remote ON feeds(account_id, remote_id) WHERE account_id IS NOT NULL;
CREATE TABLE account_articles (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    remote_id TEXT NOT NULL,
    UNIQUE (account_id, remote_id)
);
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    remote_id TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created REAL NOT NULL,
    UNIQUE (account_id, remote_id, field)
);
CREATE TABLE sync_guard (id INTEGER PRIMARY KEY);
CREATE TRIGGER outbox_read AFTER UPDATE OF read ON articles WHEN OLD.read != NEW.read BEGIN
    INSERT INTO outbox(account_id, remote_id, field, value, created)
    SELECT account_id, remote_id, 'read', NEW.read, (julianday('now') - 2440587.5) * 86400.0
    FROM account_articles WHERE article_id = NEW.id AND NOT EXISTS (SELECT 1 FROM sync_guard)
    ON CONFLICT(account_id, remote_id, field) DO UPDATE
    SET value = excluded.value, version = version + 1;
END;
CREATE TRIGGER outbox_starred AFTER UPDATE OF bookmarked ON articles
WHEN OLD.bookmarked != NEW.bookmarked BEGIN
    INSERT INTO outbox(account_id, remote_id, field, value, created)
    SELECT account_id, remote_id, 'starred', NEW.bookmarked, (julianday('now') - 2440587.5) * 86400.0
    FROM account_articles WHERE article_id = NEW.id AND NOT EXISTS (SELECT 1 FROM sync_guard)
    ON CONFLICT(account_id, remote_id, field) DO UPDATE
    SET value = excluded.value, version = version + 1;
END;
CREATE TRIGGER outbox_feed_deleted AFTER DELETE ON feeds
WHEN OLD.account_id IS NOT NULL AND OLD.remote_id IS NOT NULL
AND NOT EXISTS (SELECT 1 FROM sync_guard) BEGIN
    INSERT INTO outbox(account_id, remote_id, field, value, created)
    VALUES (OLD.account_id, OLD.remote_id, 'unsubscribe', coalesce(OLD.remote_url, ''),
            (julianday('now') - 2440587.5) * 86400.0)
    ON CONFLICT(account_id, remote_id, field) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER outbox_feed_removed AFTER UPDATE OF removed ON feeds
WHEN NEW.removed = 1 AND OLD.removed = 0 AND NEW.account_id IS NOT NULL
AND NEW.remote_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sync_guard) BEGIN
    INSERT INTO outbox(account_id, remote_id, field, value, created)
    VALUES (NEW.account_id, NEW.remote_id, 'unsubscribe', coalesce(NEW.remote_url, ''),
            (julianday('now') - 2440587.5) * 86400.0)
    ON CONFLICT(account_id, remote_id, field) DO UPDATE SET version = version + 1;
END;
""",
    # 5: the query language (query). The search index keeps word positions again
    # (detail=full) so that "a phrase" matches its words in order and a field (title:, content:,
    # author:, url:) searches its own column; author and url are indexed for those fields. Hidden
    # articles (rules' `hide`), article tags, the first enclosure, and indexes for dates and
    # images. Rebuilt from the articles after this script.
    5: """
ALTER TABLE articles ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
ALTER TABLE articles ADD COLUMN enclosure TEXT;
ALTER TABLE articles ADD COLUMN has_image INTEGER GENERATED ALWAYS AS (
    CASE content_type WHEN 'html' THEN content LIKE '%<img%' WHEN 'markdown' THEN
    content LIKE '%![%' ELSE 0 END
) VIRTUAL;
CREATE TABLE article_tags (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (article_id, tag)
) WITHOUT ROWID;
CREATE INDEX article_tags_tag ON article_tags(tag);
CREATE INDEX articles_published ON articles(published) WHERE published IS NOT NULL;
CREATE INDEX articles_images ON articles(sort_date DESC, id DESC) WHERE has_image = 1;
DROP TABLE articles_fts;
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, body, author, url, tokenize = 'unicode61 remove_diacritics 2'
);
""",
    # 6: per-feed settings (newstui feed set, the `e` dialog): a refresh interval in minutes
    # (NULL: the config's), a User-Agent (NULL: the config's) and a pause switch.
    6: """
ALTER TABLE feeds ADD COLUMN refresh_minutes INTEGER;
ALTER TABLE feeds ADD COLUMN user_agent TEXT;
ALTER TABLE feeds ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;
""",
    # 7: the same story in several feeds (domain.dedupe): two keys an article, its link and its
    # title and text, given by the parse workers; `dup_of` names the first copy stored (NULL for
    # a first copy), so views hide later copies by a look at their own row. The keys of the
    # articles already stored are computed after this script (AFTER_MIGRATION, below).
    7: """
ALTER TABLE articles ADD COLUMN url_key INTEGER;
ALTER TABLE articles ADD COLUMN text_key INTEGER;
ALTER TABLE articles ADD COLUMN dup_of INTEGER;
CREATE INDEX articles_url_key ON articles(url_key) WHERE url_key IS NOT NULL;
CREATE INDEX articles_text_key ON articles(text_key) WHERE text_key IS NOT NULL;
CREATE INDEX articles_dup_of ON articles(dup_of) WHERE dup_of IS NOT NULL;
""",
    # 8: hidden articles (rules' `hide`) leave the feeds' counts as they leave the views: one
    # trigger keeps `total` and `unread` to the articles that are not hidden.
    8: """
DROP TRIGGER articles_del;
CREATE TRIGGER articles_del AFTER DELETE ON articles BEGIN
    UPDATE feeds SET total = total - (OLD.hidden = 0),
        unread = unread - (OLD.read = 0 AND OLD.hidden = 0) WHERE id = OLD.feed_id;
    DELETE FROM articles_fts WHERE rowid = OLD.id;
END;
DROP TRIGGER articles_read;
CREATE TRIGGER articles_read AFTER UPDATE OF read, hidden ON articles
WHEN OLD.read != NEW.read OR OLD.hidden != NEW.hidden BEGIN
    UPDATE feeds SET total = total + (NEW.hidden = 0) - (OLD.hidden = 0),
        unread = unread + (NEW.read = 0 AND NEW.hidden = 0) - (OLD.read = 0 AND OLD.hidden = 0)
        WHERE id = NEW.feed_id;
END;
UPDATE feeds SET
    total = (SELECT count(*) FROM articles a WHERE a.feed_id = feeds.id AND a.hidden = 0),
    unread = (SELECT count(*) FROM articles a WHERE a.feed_id = feeds.id AND a.hidden = 0
        AND a.read = 0);
""",
    # 9: the All and Unread counts without a story's later copies, kept per feed like `total` and
    # `unread` (start-up reads them, never the copies): `copies` and `copies_unread` count the
    # feed's visible articles that are later copies. When a first copy is deleted, the next copy
    # becomes the first and the others point to it, so a story never loses its place in All.
    9: """
ALTER TABLE feeds ADD COLUMN copies INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feeds ADD COLUMN copies_unread INTEGER NOT NULL DEFAULT 0;
UPDATE feeds SET
    copies = (SELECT count(*) FROM articles a WHERE a.feed_id = feeds.id AND a.hidden = 0
        AND a.dup_of IS NOT NULL),
    copies_unread = (SELECT count(*) FROM articles a WHERE a.feed_id = feeds.id
        AND a.hidden = 0 AND a.dup_of IS NOT NULL AND a.read = 0);
DROP TRIGGER articles_del;
CREATE TRIGGER articles_del AFTER DELETE ON articles BEGIN
    UPDATE feeds SET total = total - (OLD.hidden = 0),
        unread = unread - (OLD.read = 0 AND OLD.hidden = 0),
        copies = copies - (OLD.dup_of IS NOT NULL AND OLD.hidden = 0),
        copies_unread = copies_unread - (OLD.dup_of IS NOT NULL AND OLD.hidden = 0
            AND OLD.read = 0)
        WHERE id = OLD.feed_id;
    DELETE FROM articles_fts WHERE rowid = OLD.id;
END;
DROP TRIGGER articles_read;
CREATE TRIGGER articles_read AFTER UPDATE OF read, hidden, dup_of ON articles
WHEN OLD.read != NEW.read OR OLD.hidden != NEW.hidden
    OR (OLD.dup_of IS NULL) != (NEW.dup_of IS NULL) BEGIN
    UPDATE feeds SET total = total + (NEW.hidden = 0) - (OLD.hidden = 0),
        unread = unread + (NEW.read = 0 AND NEW.hidden = 0) - (OLD.read = 0 AND OLD.hidden = 0),
        copies = copies + (NEW.dup_of IS NOT NULL AND NEW.hidden = 0)
            - (OLD.dup_of IS NOT NULL AND OLD.hidden = 0),
        copies_unread = copies_unread
            + (NEW.dup_of IS NOT NULL AND NEW.hidden = 0 AND NEW.read = 0)
            - (OLD.dup_of IS NOT NULL AND OLD.hidden = 0 AND OLD.read = 0)
        WHERE id = NEW.feed_id;
END;
CREATE TRIGGER articles_first_copy_gone AFTER DELETE ON articles
WHEN OLD.dup_of IS NULL BEGIN
    UPDATE articles SET dup_of = (SELECT min(id) FROM articles WHERE dup_of = OLD.id)
        WHERE dup_of = OLD.id AND id != (SELECT min(id) FROM articles WHERE dup_of = OLD.id);
    UPDATE articles SET dup_of = NULL WHERE dup_of = OLD.id;
END;
""",
}
