-- Deadline reminders (期限の事前通知). A user who wants them gives a work e-mail address, kept as
-- the login and display name beside it are: it is staff contact data, not the leaked data. Each
-- reminder sent is recorded once per party, obligation, due date and stage of the countdown, so
-- that reminders run as often as anyone likes and never go out twice; a party removed from the
-- incident takes its records with it.
alter table app_user add column email text;

create table reminder_sent (
    incident_id text not null references incident (incident_id),
    party_id text not null references party (party_id) on delete cascade,
    obligation text not null,
    due text not null,
    stage bigint not null,
    recipients bigint not null,
    sent_at text not null,
    primary key (incident_id, party_id, obligation, due, stage)
);
