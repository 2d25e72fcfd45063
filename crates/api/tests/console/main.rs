//! The staff console against a real server and a real Postgres: its access rules over HTTP, and
//! what staff do in it driven through headless Chromium (`/usr/bin/chromium` and
//! `/usr/bin/chromedriver`, which `make test` installs). The browser tests save screenshots to
//! `docs/screenshots/`.
#![allow(clippy::unwrap_used)] // a failed setup step is a failed test

mod access;
mod browser;
mod helpers;
mod orders;
mod products;
mod reports;
mod sign_in;
