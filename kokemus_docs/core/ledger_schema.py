"""The ledger's tables: one schema for every stage (hour forms, feedback, the web app, bookings), its version, and
the columns added to tables since they were first made."""

SCHEMA_VERSION = 2  # 2: bookings, their sessions and offers, the mail outbox

# Tables every ledger has had since its first version: one missing from a ledger that has a schema version
# (and does not yet list its tables in meta) is damage.
CORE_TABLES = frozenset({"meta", "submissions", "forms", "lines", "months"})

# One trigger per change to a form or its lines: each raises forms_version in the writer's own transaction.
_FORMS_VERSION_TRIGGERS = "".join(
    f"""CREATE TRIGGER IF NOT EXISTS {table}_changed_{change.lower()} AFTER {change} ON {table} BEGIN
    INSERT OR IGNORE INTO meta (key, value) VALUES ('forms_version', '0');
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'forms_version';
END;
""" for table in ("forms", "lines") for change in ("INSERT", "UPDATE", "DELETE"))

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL,
    file_name TEXT NOT NULL,
    archived_as TEXT,
    received_on TEXT NOT NULL,
    ingested_at TEXT NOT NULL,
    form_id TEXT,
    status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected', 'duplicate', 'replaced')),
    problems_json TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS submissions_sha ON submissions (sha256);
CREATE TABLE IF NOT EXISTS forms (
    form_id TEXT PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES submissions (id),
    contract_id TEXT NOT NULL,
    expert_id TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    month TEXT NOT NULL,
    pay_month TEXT NOT NULL,
    received_on TEXT NOT NULL,
    late INTEGER NOT NULL DEFAULT 0,
    signed_on TEXT,
    versions INTEGER NOT NULL DEFAULT 1,
    warnings_json TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS forms_pay_month ON forms (pay_month);
CREATE TABLE IF NOT EXISTS lines (
    id INTEGER PRIMARY KEY,
    form_id TEXT NOT NULL REFERENCES forms (form_id) ON DELETE CASCADE,
    row INTEGER NOT NULL,
    work_date TEXT NOT NULL,
    start TEXT NOT NULL,
    end TEXT NOT NULL,
    task TEXT NOT NULL,
    status TEXT NOT NULL,
    hours TEXT NOT NULL,
    participants INTEGER,
    payable INTEGER NOT NULL,
    basis TEXT NOT NULL,
    rate_eur TEXT NOT NULL,
    fee_eur TEXT NOT NULL,
    travel_eur TEXT NOT NULL,
    travel_ref TEXT NOT NULL DEFAULT '',
    income_type TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    UNIQUE (form_id, row)
);
-- forms_version in meta counts every change to the forms and their lines, in the writer's own transaction:
-- what is computed from them (the month page's charts) is cached under it and never shown stale.
""" + _FORMS_VERSION_TRIGGERS + """CREATE TABLE IF NOT EXISTS months (month TEXT PRIMARY KEY, closed_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS adjustments (
    id INTEGER PRIMARY KEY,
    form_id TEXT NOT NULL REFERENCES forms (form_id),
    submission_id INTEGER NOT NULL REFERENCES submissions (id),
    pay_month TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('additional', 'withdrawn')),
    received_on TEXT NOT NULL,
    row INTEGER NOT NULL,
    work_date TEXT NOT NULL,
    start TEXT NOT NULL,
    end TEXT NOT NULL,
    task TEXT NOT NULL,
    status TEXT NOT NULL,
    hours TEXT NOT NULL,
    participants INTEGER,
    payable INTEGER NOT NULL,
    basis TEXT NOT NULL,
    rate_eur TEXT NOT NULL,
    fee_eur TEXT NOT NULL,
    travel_eur TEXT NOT NULL,
    travel_ref TEXT NOT NULL DEFAULT '',
    income_type TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS adjustments_pay_month ON adjustments (pay_month);
CREATE INDEX IF NOT EXISTS adjustments_form ON adjustments (form_id);
-- Client feedback (kokemus_docs.feedback): issued questionnaires, received files and anonymous answers.
-- Nothing here identifies a respondent: no name, address, IP address or browser.
CREATE TABLE IF NOT EXISTS feedback_questionnaires (
    code TEXT PRIMARY KEY,
    form_id TEXT NOT NULL UNIQUE,
    unit_id TEXT NOT NULL,
    respondent TEXT NOT NULL,
    language TEXT NOT NULL,
    issued_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback_files (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL,
    file_name TEXT NOT NULL,
    received_on TEXT NOT NULL,
    ingested_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected', 'duplicate')),
    answers INTEGER NOT NULL DEFAULT 0,
    problems_json TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS feedback_files_sha ON feedback_files (sha256);
CREATE TABLE IF NOT EXISTS feedback_answers (
    id INTEGER PRIMARY KEY,
    file_id INTEGER REFERENCES feedback_files (id),
    source_row INTEGER,
    channel TEXT NOT NULL CHECK (channel IN ('pdf', 'csv', 'xlsx', 'web')),
    form_id TEXT,
    unit_id TEXT NOT NULL,
    respondent TEXT NOT NULL CHECK (respondent IN ('client', 'employee', 'expert')),
    language TEXT,
    answered_on TEXT NOT NULL,
    recommend INTEGER NOT NULL CHECK (recommend BETWEEN 0 AND 10),
    s1 INTEGER CHECK (s1 BETWEEN 1 AND 5),
    s2 INTEGER CHECK (s2 BETWEEN 1 AND 5),
    s3 INTEGER CHECK (s3 BETWEEN 1 AND 5),
    s4 INTEGER CHECK (s4 BETWEEN 1 AND 5),
    s5 INTEGER CHECK (s5 BETWEEN 1 AND 5),
    comment TEXT NOT NULL DEFAULT '',
    answer_key TEXT  -- an export row's response id or content, so that a later export counts it once
);
CREATE INDEX IF NOT EXISTS feedback_answers_date ON feedback_answers (answered_on);
-- The web app: logins, its audit log, units' approvals of fee notices.
CREATE TABLE IF NOT EXISTS web_users (
    login TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('coordinator', 'payroll', 'unit')),
    unit_id TEXT,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS web_audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    result TEXT NOT NULL DEFAULT ''
);
-- A logged-in browser: the hash of the random id its cookie holds, whose it is, and when it was last used.
CREATE TABLE IF NOT EXISTS web_sessions (
    id_sha256 TEXT PRIMARY KEY,
    login TEXT NOT NULL,
    started_at REAL NOT NULL,
    seen_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS web_sessions_login ON web_sessions (login);
-- What a step or an upload answered, kept for the page a browser is sent to after its POST (an hour).
CREATE TABLE IF NOT EXISTS web_results (
    id_sha256 TEXT PRIMARY KEY,
    owner_sha256 TEXT NOT NULL,
    kept_at REAL NOT NULL,
    result_json TEXT NOT NULL
);
-- What a unit approved: the checksum of its fee notices as they were; a changed notice is not approved.
CREATE TABLE IF NOT EXISTS notice_approvals (
    month TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    approved_by TEXT NOT NULL,
    approved_at TEXT NOT NULL,
    notice_sha256 TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (month, unit_id)
);
-- Experts' personal upload addresses: a hash of each token, and the generation that revokes older ones.
CREATE TABLE IF NOT EXISTS expert_links (
    token_sha256 TEXT PRIMARY KEY,
    expert_id TEXT NOT NULL,
    month TEXT NOT NULL,
    generation INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS expert_link_generations (
    expert_id TEXT NOT NULL,
    month TEXT NOT NULL,
    generation INTEGER NOT NULL,
    revoked_at TEXT,
    PRIMARY KEY (expert_id, month)
);
-- Bookings (kokemus_docs.bookings): a unit's request for an expert, its sessions, the offers made, and the
-- messages sent about it. A note never names a client.
CREATE TABLE IF NOT EXISTS bookings (
    id INTEGER PRIMARY KEY,
    unit_id TEXT NOT NULL,
    task TEXT NOT NULL,
    topics_json TEXT NOT NULL DEFAULT '[]',
    language TEXT NOT NULL CHECK (language IN ('fi', 'sv', 'any')),
    place TEXT NOT NULL DEFAULT '',
    audience TEXT NOT NULL DEFAULT '',
    group_size INTEGER,
    note TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('requested', 'offered', 'booked', 'unfilled', 'cancelled')),
    expert_id TEXT,
    contract_id TEXT,
    requested_at TEXT NOT NULL,
    requested_by TEXT NOT NULL DEFAULT '',
    booked_at TEXT,
    cancelled_at TEXT,
    closed_at TEXT,
    reason TEXT
);
CREATE INDEX IF NOT EXISTS bookings_status ON bookings (status);
CREATE INDEX IF NOT EXISTS bookings_unit ON bookings (unit_id);
CREATE INDEX IF NOT EXISTS bookings_expert ON bookings (expert_id);
CREATE INDEX IF NOT EXISTS bookings_contract ON bookings (contract_id);
CREATE TABLE IF NOT EXISTS booking_sessions (
    booking INTEGER NOT NULL REFERENCES bookings (id),
    number INTEGER NOT NULL,
    work_date TEXT NOT NULL,
    start TEXT NOT NULL,
    end TEXT NOT NULL,
    cancelled_at TEXT,
    PRIMARY KEY (booking, number)
);
CREATE INDEX IF NOT EXISTS booking_sessions_date ON booking_sessions (work_date);
CREATE TABLE IF NOT EXISTS booking_offers (
    id INTEGER PRIMARY KEY,
    booking INTEGER NOT NULL REFERENCES bookings (id),
    expert_id TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'accepted', 'declined', 'withdrawn')),
    offered_at TEXT NOT NULL,
    offered_by TEXT NOT NULL DEFAULT '',
    answered_at TEXT,
    reason TEXT
);
-- One expert at a time: two coordinators offering at once leave one open offer.
CREATE UNIQUE INDEX IF NOT EXISTS booking_offers_one_open ON booking_offers (booking) WHERE state = 'open';
CREATE INDEX IF NOT EXISTS booking_offers_expert ON booking_offers (expert_id, state);
CREATE TABLE IF NOT EXISTS mail_outbox (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    booking INTEGER,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    last_attempt_at TEXT,
    sent_at TEXT
);
CREATE INDEX IF NOT EXISTS mail_outbox_unsent ON mail_outbox (sent_at);
"""


# Columns added to existing tables since they were first made: (table, column, definition).
ADDED_COLUMNS = (
    ("notice_approvals", "notice_sha256", "TEXT NOT NULL DEFAULT ''"),  # what an approval approved
    ("feedback_answers", "answer_key", "TEXT"),  # an export row's identity, for exports of all answers to date
)
