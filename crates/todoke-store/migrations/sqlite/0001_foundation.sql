-- The foundation schema. Times are RFC 3339 text (UTC unless a column says it keeps an offset),
-- dates ISO 8601 text, booleans 0/1, ids UUIDv7 text. Personal data lives only in `sealed` blobs
-- (XChaCha20-Poly1305 under the incident's data key) and keyed blind indexes.

-- Deployment-wide settings, e.g. the check value of the master key.
create table meta (
    key text primary key,
    value text not null
);

create table organization (
    organization_id text primary key,
    name text not null,
    org_type text not null,
    created_at text not null,
    constraint organization_name_key unique (name)
);

-- `facts` is the incident's facts as JSON, without parties, timeline and tasks (their own tables).
create table incident (
    incident_id text primary key,
    owner_id text not null references organization (organization_id),
    title text not null,
    facts text not null,
    created_at text not null,
    updated_at text not null,
    erased_at text
);

-- The incident's data key, wrapped by the master key; `wrapped` is NULL once destroyed.
create table incident_key (
    incident_id text primary key references incident (incident_id),
    wrapped blob,
    created_at text not null,
    destroyed_at text
);

-- `data` is the Party as JSON; name and role are copied out for queries.
create table party (
    party_id text primary key,
    incident_id text not null references incident (incident_id),
    organization_id text not null references organization (organization_id),
    position integer not null,
    name text not null,
    role text not null,
    data text not null,
    constraint party_incident_name_key unique (incident_id, name)
);

-- `at_utc` orders the timeline; `at` keeps the time as observed, with its offset.
create table timeline_event (
    timeline_event_id text primary key,
    incident_id text not null references incident (incident_id),
    at_utc text not null,
    at text not null,
    kind text not null,
    text text not null,
    source text,
    technique text,
    created_at text not null
);
create index timeline_event_incident_idx on timeline_event (incident_id, at_utc);

create table task (
    task_id text primary key,
    incident_id text not null references incident (incident_id),
    position integer not null,
    kind text not null,
    title text not null,
    owner text,
    due text,
    status text not null,
    evidence text,
    created_at text not null,
    updated_at text not null
);

-- A submitted report is frozen: content, submitted_on and receipt_number are not changed afterwards.
create table report (
    report_id text primary key,
    incident_id text not null references incident (incident_id),
    party_id text not null references party (party_id),
    kind text not null,
    content text not null,
    submitted_on text,
    receipt_number text,
    created_at text not null
);

-- What a caller said may be personal: the inquiry is sealed; channel, topic and time stay clear for
-- statistics.
create table inquiry (
    inquiry_id text primary key,
    incident_id text not null references incident (incident_id),
    party_id text not null references party (party_id),
    received_at_utc text not null,
    channel text not null,
    topic text not null,
    sealed blob not null,
    created_at text not null
);

-- An affected person: everything personal is in `sealed`. The blind indexes serve matching and
-- "am I affected?"; `bi_record` makes a re-import of the same row a no-op.
create table affected_person (
    affected_person_id text primary key,
    incident_id text not null references incident (incident_id),
    party_id text not null references party (party_id),
    sealed blob not null,
    bi_name_birth blob,
    bi_kana_birth blob,
    bi_record blob not null,
    created_at text not null,
    constraint affected_person_record_key unique (incident_id, party_id, bi_record)
);
create index affected_person_kana_idx on affected_person (incident_id, bi_kana_birth);
create index affected_person_name_idx on affected_person (incident_id, bi_name_birth);

create table app_user (
    user_id text primary key,
    login text not null,
    display_name text not null,
    created_at text not null,
    constraint app_user_login_key unique (login)
);

create table membership (
    user_id text not null references app_user (user_id),
    organization_id text not null references organization (organization_id),
    role text not null,
    created_at text not null,
    constraint membership_pkey primary key (user_id, organization_id, role)
);

-- The audit chain (see audit.rs). Never updated or deleted by todoke.
create table audit_entry (
    seq integer primary key,
    at text not null,
    actor text not null,
    action text not null,
    object text not null,
    digest text not null,
    prev_hash text not null,
    hash text not null,
    mac text not null
);

-- The chain's head: the last sequence number and hash.
create table audit_head (
    audit_head_id integer primary key check (audit_head_id = 1),
    seq integer not null,
    hash text not null
);
insert into audit_head (audit_head_id, seq, hash)
values (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
