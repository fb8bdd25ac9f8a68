-- The casebook: published breach notices (public text, so stored as is), the facts read from them,
-- a user's corrections, and what relates one notice to another. Notices that concern one incident
-- share a group (the id of the group's first notice). The search index is derived from these rows
-- and rebuilt from them whenever it is missing or behind.
create table casebook_notice (
    notice_id text primary key,
    group_id text not null,
    digest text not null unique,
    source text not null,
    body text not null,
    facts text not null,
    corrections text,
    org_key text,
    org_type text,
    cause text,
    anchor text,
    month text,
    follow_up integer not null,
    vendor integer not null,
    added_at text not null
);
create index casebook_notice_group_idx on casebook_notice (group_id);
create index casebook_notice_org_idx on casebook_notice (org_key);

-- The other organizations a notice names (a consignor's notice names the handler it outsourced to).
create table casebook_mention (
    notice_id text not null references casebook_notice (notice_id),
    org_key text not null,
    primary key (notice_id, org_key)
);
create index casebook_mention_org_idx on casebook_mention (org_key);
