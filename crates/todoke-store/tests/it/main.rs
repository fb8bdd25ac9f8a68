//! The store's integration tests: the conformance suite on every backend (`conformance`), and what
//! depends on a backend's files (`plaintext`).

mod backup;
mod conformance;
mod plaintext;
