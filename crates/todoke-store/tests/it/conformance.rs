//! Every store test runs on SQLite, and on PostgreSQL when TODOKE_TEST_PG_URL is set.

todoke_store::conformance_tests!(
    incident_round_trip,
    incidents_are_found_by_id_prefix,
    people_are_sealed_found_and_never_added_twice,
    erasing_an_incident_makes_its_people_unreadable,
    reports_tasks_and_inquiries,
    answer_scripts_are_versioned_per_topic,
    assessments_are_kept_and_facts_updated,
    sign_in_records_and_sessions,
    users_and_memberships,
    every_change_is_audited_and_the_chain_verifies,
    concurrent_changes_keep_one_chain,
    audit_catches_a_changed_entry,
    audit_catches_a_deleted_entry,
    audit_catches_entries_deleted_at_the_end,
    audit_catches_an_inserted_entry,
    audit_catches_an_appended_forgery,
    audit_catches_reordered_entries,
    a_wrong_master_key_is_refused,
    reopening_migrates_nothing_twice,
    case_snapshots_follow_every_change,
    casebook_groups_related_notices_and_keeps_corrections,
    notifications_are_planned_once_moved_by_compare_and_set_and_counted,
    cost_claims_are_per_party_and_move_by_compare_and_set,
    returns_are_recorded_together_readdressed_sealed_and_published,
    letter_jobs_print_each_batch_once_sealed_and_resume,
    reminders_go_to_members_with_an_address_and_are_claimed_once,
);

#[test]
fn postgres_is_tested_in_ci() {
    // CI must never pass by skipping PostgreSQL.
    if std::env::var_os("CI").is_some() {
        assert!(
            std::env::var_os(todoke_store::testkit::PG_URL_VAR).is_some(),
            "CI is set but {} is not: the PostgreSQL half of the suite would be skipped",
            todoke_store::testkit::PG_URL_VAR
        );
    }
}
