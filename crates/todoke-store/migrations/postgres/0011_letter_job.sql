-- Letters printed in the background (本人通知の印刷): a job fixes when it starts which notices it
-- prints, in what order, and with which letter body, then prints them in batches. Each batch's PDF
-- holds names and addresses, so it is sealed under the incident's data key (and dies with it), and
-- it is committed together with the job's progress: a job cut short by a restart resumes at its
-- first missing batch, and no batch is printed twice.
create table letter_job (
    letter_job_id text primary key,
    incident_id text not null references incident (incident_id),
    party_id text not null references party (party_id),
    state text not null,
    total bigint not null,
    batch_size bigint not null,
    printed bigint not null,
    batches bigint not null,
    body text not null,
    error text,
    created_at text not null,
    updated_at text not null
);
create index letter_job_party_idx on letter_job (incident_id, party_id, created_at);

create table letter_job_item (
    letter_job_id text not null references letter_job (letter_job_id),
    seq bigint not null,
    notification_id text not null references notification (notification_id),
    primary key (letter_job_id, seq)
);

create table letter_batch (
    letter_job_id text not null references letter_job (letter_job_id),
    batch bigint not null,
    letters bigint not null,
    sealed bytea not null,
    created_at text not null,
    primary key (letter_job_id, batch)
);
