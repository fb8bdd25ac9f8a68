-- Cost claims (費用請求): what a consignor (委託元) claims from the handler (委託先) for its share of
-- the response — letters posted, e-mails sent (from the campaign's counts at the agreed unit costs),
-- printing, the call center and the like. One claim per (incident, party); it moves draft →
-- submitted → approved (or returned for correction, then submitted again) → paid, each move made
-- only from the state the mover saw (compare and set). Amounts are whole yen, kept as integers.
-- Nothing personal is kept here: lines say what was paid for, never for whom.
create table cost_claim (
    cost_claim_id text primary key,
    incident_id text not null references incident (incident_id),
    party_id text not null references party (party_id),
    state text not null,
    paid_on text,
    note text,
    created_at text not null,
    updated_at text not null,
    constraint cost_claim_key unique (incident_id, party_id)
);

create table cost_line (
    cost_line_id text primary key,
    cost_claim_id text not null references cost_claim (cost_claim_id),
    source text not null,
    category text not null,
    description text not null,
    quantity integer not null,
    unit_yen integer not null,
    amount_yen integer not null,
    created_at text not null
);
create index cost_line_claim_idx on cost_line (cost_claim_id, created_at);
