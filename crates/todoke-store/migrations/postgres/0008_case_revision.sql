-- A case's revision: bumped, by the database itself, by every change to the incident row or to any
-- of its parties, timeline events, tasks or reports. A reader that kept the case in memory asks for
-- this one number to know whether what it kept is still the case; no code path can forget to bump
-- it, and servers sharing the database see each other's changes.
alter table incident add column revision bigint not null default 0;

create function incident_revision_self() returns trigger language plpgsql as $$
begin
    if new.revision = old.revision then
        new.revision := old.revision + 1;
    end if;
    return new;
end;
$$;

create trigger incident_revision_self before update on incident
for each row execute function incident_revision_self();

create function incident_revision_child() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' then
        update incident set revision = revision + 1 where incident_id = old.incident_id;
    else
        update incident set revision = revision + 1 where incident_id = new.incident_id;
    end if;
    return null;
end;
$$;

create trigger party_revision after insert or update or delete on party
for each row execute function incident_revision_child();
create trigger timeline_revision after insert or update or delete on timeline_event
for each row execute function incident_revision_child();
create trigger task_revision after insert or update or delete on task
for each row execute function incident_revision_child();
create trigger report_revision after insert or update or delete on report
for each row execute function incident_revision_child();
