//! The casebook on the seed notices: the foundation's notice, the blog summary of the same attack and
//! the city's council report fold into one incident; the other incidents stay apart.

use std::path::Path;
use todoke_casebook::{Incident, Member, SearchIndex, profile, related, stats::stats, veris::to_veris};
use todoke_core::NoticeId;

struct Kept {
    group: NoticeId,
    member: Member,
    body: String,
}

/// Adds every seed notice the way the application does: relate to what is kept, join or merge groups.
fn casebook() -> Vec<Kept> {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
    let mut files: Vec<_> = std::fs::read_dir(&seeds)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    let mut kept: Vec<Kept> = Vec::new();
    let mut n = 0u128;
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        let text = todoke_notice::decode(&bytes);
        let source = file.file_name().unwrap().to_string_lossy().to_string();
        for facts in todoke_notice::read_notice(&bytes, &source) {
            n += 1;
            let body = text.get(facts.span[0]..facts.span[1]).unwrap_or(&text).to_string();
            let id = NoticeId(uuid::Uuid::from_u128(n));
            let member =
                Member { id, source: source.clone(), added_at: String::new(), profile: profile(&facts, &body), facts };
            let mut groups: Vec<NoticeId> =
                kept.iter().filter(|k| related(&k.member.profile, &member.profile)).map(|k| k.group).collect();
            groups.sort();
            let group = groups.first().copied().unwrap_or(id);
            for k in kept.iter_mut().filter(|k| groups.contains(&k.group)) {
                k.group = group;
            }
            kept.push(Kept { group, member, body });
        }
    }
    kept
}

fn group_of<'a>(kept: &'a [Kept], source_prefix: &str, org: &str) -> Vec<&'a Kept> {
    kept.iter()
        .filter(|k| k.member.source.starts_with(source_prefix) && k.member.facts.organization.as_deref() == Some(org))
        .collect()
}

#[test]
fn one_attack_is_one_incident_whoever_wrote_about_it() {
    let kept = casebook();
    let foundation = group_of(&kept, "000", "公益財団法人埼玉県健康づくり事業団");
    assert_eq!(foundation.len(), 1, "the foundation's notice is read");
    let group = foundation[0].group;
    let blog = kept.iter().filter(|k| k.member.source.starts_with("002")).collect::<Vec<_>>();
    assert!(!blog.is_empty() && blog.iter().all(|k| k.group == group), "seed 002 is the same attack");
    let city = group_of(&kept, "001", "春日部市");
    assert!(city.len() >= 2, "the council report has several items");
    let in_group = city.iter().filter(|k| k.group == group).count();
    assert!(in_group >= 1, "the city's screening items name the foundation and join its incident");
    assert!(
        city.iter().any(|k| k.group != group && k.member.facts.cause.as_deref() == Some("web_misconfiguration")),
        "the city's other incident (a web misconfiguration months later) stays apart"
    );
    for k in kept.iter().filter(|k| k.member.source.starts_with("003") || k.member.source.starts_with("004")) {
        assert_ne!(k.group, group, "{:?} is another incident", k.member.facts.organization);
    }
}

#[test]
fn statistics_count_incidents_and_veris_names_the_consignors() {
    let kept = casebook();
    let incidents = Incident::group(kept.iter().map(|k| (k.group, k.member.clone())).collect());
    let s = stats(&incidents);
    assert_eq!(s.notices, kept.len());
    assert!(s.incidents < s.notices, "folded notices are counted once");
    assert_eq!(s.by_cause.values().sum::<usize>(), s.incidents);
    assert_eq!(s.by_org_type.values().sum::<usize>(), s.incidents);
    assert!(s.by_cause.get("ransomware").is_some_and(|&n| n >= 1), "{:?}", s.by_cause);
    assert!(s.by_month.contains_key("2024-01"), "{:?}", s.by_month);

    let foundation = incidents
        .iter()
        .find(|i| i.lead().and_then(|m| m.facts.organization.as_deref()) == Some("公益財団法人埼玉県健康づくり事業団"))
        .expect("the foundation's incident leads with its own notice");
    let v = to_veris(foundation, "2026-11-23T00:00:00Z");
    assert_eq!(v["schema_version"], "1.3.7");
    assert_eq!(v["action"]["malware"]["variety"][0], "Ransomware");
    assert_eq!(v["victim"]["country"][0], "JP");
    assert_eq!(v["timeline"]["incident"]["year"], 2024);
    assert_eq!(v["timeline"]["incident"]["month"], 1);
    let secondary: Vec<&str> =
        v["victim"]["secondary"]["victim_id"].as_array().unwrap().iter().map(|x| x.as_str().unwrap()).collect();
    assert!(secondary.contains(&"春日部市"), "{secondary:?}");
    assert!(!secondary.iter().any(|s| s.contains("健康づくり事業団")), "the victim is not its own secondary");
    for key in [
        "incident_id",
        "security_incident",
        "summary",
        "timeline",
        "victim",
        "action",
        "actor",
        "asset",
        "discovery_method",
    ] {
        assert!(!v[key].is_null(), "VERIS requires {key}");
    }
    let data: Vec<&str> = v["attribute"]["confidentiality"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["variety"].as_str().unwrap())
        .collect();
    assert!(data.contains(&"Medical"), "X-ray images and findings are medical data: {data:?}");
}

#[test]
fn search_over_the_seeds_finds_the_attack_by_its_words() {
    let kept = casebook();
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(dir.path()).unwrap();
    index
        .add(kept.iter().map(|k| (k.member.id, k.member.facts.organization.as_deref().unwrap_or(""), k.body.as_str())))
        .unwrap();
    let hits = index.search("ランサムウェア 読影", 5).unwrap();
    assert!(!hits.is_empty());
    let attack = group_of(&kept, "000", "公益財団法人埼玉県健康づくり事業団")[0].group;
    for hit in &hits {
        let k = kept.iter().find(|k| k.member.id == hit.id).unwrap();
        assert_eq!(k.group, attack, "{} is not about the attack", k.member.source);
    }
    let emotet = index.search("emotet", 5).unwrap();
    assert!(!emotet.is_empty(), "case is folded");
    let emotet_sources: Vec<&str> =
        emotet.iter().map(|h| kept.iter().find(|k| k.member.id == h.id).unwrap().member.source.as_str()).collect();
    assert!(emotet_sources.iter().all(|s| s.starts_with("004")), "{emotet_sources:?}");
}
