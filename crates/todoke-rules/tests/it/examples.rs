//! Every seed example is assessed; the seed case gives each city its own regime and clock.

use crate::{cats, due, entry, facts};
use todoke_rules::ObligationKind::*;
use todoke_rules::{Options, Packs, assess};

fn example(name: &str) -> String {
    std::fs::read_to_string(format!("{}/../../examples/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn every_example_is_assessed() {
    let dir = format!("{}/../../examples", env!("CARGO_MANIFEST_DIR"));
    let packs = Packs::embedded().unwrap();
    let mut n = 0;
    for file in std::fs::read_dir(dir).unwrap() {
        let path = file.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let incident = facts(&std::fs::read_to_string(&path).unwrap());
        let a = assess(&incident, &packs, &Options::default()).unwrap();
        assert!(a.parties.len() >= incident.parties.len(), "{}: every party is assessed", path.display());
        n += 1;
    }
    assert!(n >= 8);
}

#[test]
fn the_seed_case() {
    let a = assess(
        &facts(&example("saitama-foundation-ransomware.toml")),
        &Packs::embedded().unwrap(),
        &Options::default(),
    )
    .unwrap();
    let foundation = entry(&a, "公益財団法人埼玉県健康づくり事業団", "jp-appi-business");
    assert_eq!(cats(foundation), ["sensitive", "malicious"]);
    assert_eq!(due(foundation, FinalReport).as_deref(), Some("2024-03-28"));
    let city = entry(&a, "春日部市", "jp-appi-public");
    assert_eq!(cats(city), ["sensitive", "malicious", "count_over_threshold"]);
    assert_eq!(due(city, FinalReport).as_deref(), Some("2024-04-01"));
    // Every consignor city is assessed under Art. 68.
    let cities = a.parties.iter().filter(|p| p.regime == "jp-appi-public").count();
    assert!(cities > 20, "{cities}");
}

#[test]
fn the_voucher_cache_case() {
    let a = assess(&facts(&example("kasukabe-voucher-cache.toml")), &Packs::embedded().unwrap(), &Options::default())
        .unwrap();
    let city = entry(&a, "春日部市", "jp-appi-public");
    assert_eq!(cats(city), ["count_over_threshold"]);
    assert_eq!(due(city, FinalReport).as_deref(), Some("2024-05-29"));
}
