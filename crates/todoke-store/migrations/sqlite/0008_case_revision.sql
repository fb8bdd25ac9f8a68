-- A case's revision: bumped, by the database itself, by every change to the incident row or to any
-- of its parties, timeline events, tasks or reports. A reader that kept the case in memory asks for
-- this one number to know whether what it kept is still the case; no code path can forget to bump
-- it, and servers sharing the database see each other's changes.
alter table incident add column revision integer not null default 0;

create trigger incident_revision_self after update on incident
when new.revision = old.revision
begin
    update incident set revision = old.revision + 1 where incident_id = new.incident_id;
end;

create trigger party_revision_insert after insert on party
begin update incident set revision = revision + 1 where incident_id = new.incident_id; end;
create trigger party_revision_update after update on party
begin update incident set revision = revision + 1 where incident_id = new.incident_id; end;
create trigger party_revision_delete after delete on party
begin update incident set revision = revision + 1 where incident_id = old.incident_id; end;

create trigger timeline_revision_insert after insert on timeline_event
begin update incident set revision = revision + 1 where incident_id = new.incident_id; end;
create trigger timeline_revision_update after update on timeline_event
begin update incident set revision = revision + 1 where incident_id = new.incident_id; end;
create trigger timeline_revision_delete after delete on timeline_event
begin update incident set revision = revision + 1 where incident_id = old.incident_id; end;

create trigger task_revision_insert after insert on task
begin update incident set revision = revision + 1 where incident_id = new.incident_id; end;
create trigger task_revision_update after update on task
begin update incident set revision = revision + 1 where incident_id = new.incident_id; end;
create trigger task_revision_delete after delete on task
begin update incident set revision = revision + 1 where incident_id = old.incident_id; end;

create trigger report_revision_insert after insert on report
begin update incident set revision = revision + 1 where incident_id = new.incident_id; end;
create trigger report_revision_update after update on report
begin update incident set revision = revision + 1 where incident_id = new.incident_id; end;
create trigger report_revision_delete after delete on report
begin update incident set revision = revision + 1 where incident_id = old.incident_id; end;
