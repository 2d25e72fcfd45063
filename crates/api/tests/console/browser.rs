//! Headless Chromium driven through chromedriver, which each test starts on a free port of its
//! own and stops when done (also when it fails): Debian's `chromium` and `chromium-driver`.

use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use thirtyfour::prelude::*;

use crate::helpers::{PASSWORD, TestApp};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The screenshots' size: a laptop screen, small enough to keep in the repository.
pub const WIDTH: u32 = 1280;
pub const HEIGHT: u32 = 800;
/// How long an element may take to appear: pages render on the server, so this is only slack
/// for a busy machine.
const WAIT: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(100);

pub struct Browser {
    /// `None` once quit.
    driver: Option<WebDriver>,
    chromedriver: Child,
    base: String,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

impl Browser {
    pub async fn start(app: &TestApp) -> Browser {
        assert!(
            std::path::Path::new(CHROMEDRIVER).exists() && std::path::Path::new(CHROMIUM).exists(),
            "the console's browser tests need {CHROMIUM} and {CHROMEDRIVER}: \
             sudo apt-get install -y chromium chromium-driver (make test installs them as root)"
        );
        let port = free_port();
        let chromedriver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group, so that stopping it also stops the browser it started.
            .process_group(0)
            .spawn()
            .expect("start chromedriver");
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < WAIT, "chromedriver did not listen on {port}");
            tokio::time::sleep(POLL).await;
        }
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary(CHROMIUM).unwrap();
        for arg in [
            "--headless=new",
            // Root (CI, containers) cannot use Chromium's sandbox.
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--disable-gpu",
            "--hide-scrollbars",
            &format!("--window-size={WIDTH},{HEIGHT}"),
        ] {
            caps.add_arg(arg).unwrap();
        }
        let mut browser = Browser {
            driver: None,
            chromedriver,
            base: app.base.clone(),
        };
        let driver = WebDriver::new(format!("http://127.0.0.1:{port}"), caps)
            .await
            .expect("a Chromium session");
        // A page that does not load fails the test within the wait, not after minutes.
        driver.set_page_load_timeout(WAIT).await.unwrap();
        browser.driver = Some(driver);
        browser.resize(WIDTH, HEIGHT).await;
        browser
    }

    /// Makes the page itself (not the window around it) `width` × `height`, as screenshots show it.
    pub async fn resize(&self, width: u32, height: u32) {
        let driver = self.driver();
        driver.set_window_rect(0, 0, width, height).await.unwrap();
        let frame: u32 = driver
            .execute("return window.outerHeight - window.innerHeight", Vec::new())
            .await
            .unwrap()
            .convert()
            .unwrap();
        driver.set_window_rect(0, 0, width, height + frame).await.unwrap();
    }

    pub fn driver(&self) -> &WebDriver {
        self.driver.as_ref().expect("the browser is running")
    }

    pub async fn open(&self, path: &str) {
        self.driver()
            .goto(format!("{}{path}", self.base))
            .await
            .expect("open a page");
    }

    /// The first element `by` finds, waiting for it to appear.
    pub async fn find(&self, by: By) -> WebElement {
        self.driver()
            .query(by)
            .ignore_errors(true)
            .wait(WAIT, POLL)
            .first()
            .await
            .expect("an element")
    }

    /// Waits for an element `by` whose text contains `text`.
    pub async fn find_text(&self, by: By, text: &str) -> WebElement {
        self.driver()
            .query(by)
            .with_text(thirtyfour::stringmatch::StringMatch::new(text.to_owned()).partial())
            // An element of the page being left goes stale while it is read: look again.
            .ignore_errors(true)
            .wait(WAIT, POLL)
            .first()
            .await
            .unwrap_or_else(|e| panic!("an element with {text:?}: {e}"))
    }

    /// The input labelled `label` (by its `<label for>`): what a person reads is what a test uses.
    pub async fn field(&self, label: &str) -> WebElement {
        let label = self
            .find(By::XPath(format!("//label[normalize-space()='{label}']")))
            .await;
        let id = label.attr("for").await.unwrap().expect("a label for an input");
        self.find(By::Id(id)).await
    }

    pub async fn fill(&self, label: &str, value: &str) {
        let field = self.field(label).await;
        field.clear().await.unwrap();
        field.send_keys(value).await.unwrap();
    }

    /// Presses a button; every console button leads to another page (a form's answer).
    pub async fn press(&self, button: &str) {
        let button = self
            .find(By::XPath(format!("//button[normalize-space()='{button}']")))
            .await;
        self.leave_by(button).await;
    }

    pub async fn follow(&self, link: &str) {
        let link = self.find(By::LinkText(link)).await;
        self.leave_by(link).await;
    }

    /// Clicks and waits until the next page has replaced this one, so that nothing read
    /// afterwards comes from the page left behind.
    async fn leave_by(&self, element: WebElement) {
        let page = self.find(By::Tag("html")).await;
        element.click().await.unwrap();
        page.wait_until()
            .wait(WAIT, POLL)
            .stale()
            .await
            .expect("the next page replaced this one");
    }

    /// Waits until the address ends with `path` (a redirect followed, a form answered).
    pub async fn wait_for_path(&self, path: &str) {
        let started = Instant::now();
        loop {
            let url = self.driver().current_url().await.unwrap();
            let here = match url.query() {
                Some(query) => format!("{}?{query}", url.path()),
                None => url.path().to_owned(),
            };
            if here == path || url.path() == path {
                return;
            }
            assert!(started.elapsed() < WAIT, "still at {here}, expected {path}");
            tokio::time::sleep(POLL).await;
        }
    }

    pub async fn sign_in(&self, email: &str) {
        self.open("/admin/sign-in").await;
        self.fill("Email", email).await;
        self.fill("Password", PASSWORD).await;
        self.press("Sign in").await;
        self.find_text(By::Tag("h1"), "Dashboard").await;
    }

    /// Saves the window as `docs/screenshots/{name}.png`, replacing the last run's.
    pub async fn screenshot(&self, name: &str) {
        let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
        std::fs::create_dir_all(&folder).unwrap();
        self.driver()
            .screenshot(&folder.join(format!("{name}.png")))
            .await
            .unwrap();
    }

    /// Ends the browser session; dropping a `Browser` does it too, slower.
    pub async fn quit(mut self) {
        if let Some(driver) = self.driver.take() {
            driver.quit().await.unwrap();
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // A session not quit (the test failed) is ended by the driver's own drop, before
        // chromedriver goes.
        drop(self.driver.take());
        let group = format!("-{}", self.chromedriver.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.chromedriver.wait();
    }
}
