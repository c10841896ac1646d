//! Running the `xuezhang` binary as a process, as operators do, and talking to it over HTTP.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};
pub use xuezhang_tests::{PASSWORD, Res, scratch_database};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_xuezhang");

/// The JWT secret every process of a test shares.
pub const SECRET: &str = "binary-test-secret-binary-test-secret";

/// The environment of a process on `url`, without anything inherited that could change it.
pub fn command(url: &str) -> Command {
    let mut c = Command::new(BIN);
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", url)
        .env("XUEZHANG_JWT_SECRET", SECRET)
        .env("XUEZHANG_WORKERS", "2")
        // No drain before stopping, unless a test asks for one: the tests stop servers often.
        .env("XUEZHANG_DRAIN_SECS", "0")
        .env("RUST_LOG", "info");
    c
}

/// Runs a command to its end.
pub fn run(mut c: Command) -> Output {
    c.output().expect("run xuezhang")
}

/// Creates the university admin `username` with [`PASSWORD`] (this also migrates the database).
pub fn create_admin(url: &str, username: &str) {
    let mut c = command(url);
    c.args(["create-admin", "--username", username, "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("start create-admin");
    child.stdin.take().expect("stdin").write_all(PASSWORD.as_bytes()).expect("write the password");
    let out = child.wait_with_output().expect("create-admin");
    assert!(out.status.success(), "create-admin failed: {}", String::from_utf8_lossy(&out.stderr));
}

/// A running `xuezhang serve`.
pub struct Server {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    child: Child,
    /// Every line it wrote to standard error (the log) and standard output, in order.
    pub lines: Arc<Mutex<Vec<String>>>,
    /// An HTTP client.
    pub client: reqwest::Client,
}

fn collect(stream: impl std::io::Read + Send + 'static, lines: Arc<Mutex<Vec<String>>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            lines.lock().expect("the log").push(line);
        }
    });
}

impl Server {
    /// Starts `xuezhang serve` (with `args`) on a free port and waits until it listens.
    pub fn start(mut c: Command, args: &[&str]) -> Server {
        c.arg("serve").args(args).env("XUEZHANG_BIND", "127.0.0.1:0").stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = c.spawn().expect("start xuezhang serve");
        let lines = Arc::new(Mutex::new(Vec::new()));
        collect(child.stderr.take().expect("stderr"), Arc::clone(&lines));
        collect(child.stdout.take().expect("stdout"), Arc::clone(&lines));
        let started = Instant::now();
        let port = loop {
            let found = lines.lock().expect("the log").iter().find_map(|l| {
                let rest = &l[l.find("listening on http://127.0.0.1:")? + "listening on http://127.0.0.1:".len()..];
                rest.split(|c: char| !c.is_ascii_digit()).next()?.parse::<u16>().ok()
            });
            if let Some(p) = found {
                break p;
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("xuezhang serve exited with {status}: {:?}", lines.lock().expect("the log"));
            }
            assert!(started.elapsed() < Duration::from_secs(60), "xuezhang serve did not start");
            std::thread::sleep(Duration::from_millis(20));
        };
        Server {
            address: format!("http://127.0.0.1:{port}"),
            child,
            lines,
            client: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("a client"),
        }
    }

    /// Stops it with SIGTERM (requests in flight finish) and waits for it to exit.
    pub fn stop(mut self) -> Vec<String> {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        // The readers finish once the pipes close.
        std::thread::sleep(Duration::from_millis(100));
        self.lines.lock().expect("the log").clone()
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills it with SIGKILL (no chance to clean up) and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends SIGTERM and waits (at most `limit`) for the process to exit; its exit status, if it
    /// exited.
    pub fn terminate(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// Sends a request and reads the whole response.
    pub async fn send(&self, req: reqwest::RequestBuilder) -> Res {
        let res = req.send().await.expect("send the request");
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Res { status, headers, body, text }
    }

    /// A request on `path`, with a bearer token if given.
    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> reqwest::RequestBuilder {
        // The suite asserts English texts; Chinese is the server's default.
        let r = self.client.request(method, format!("{}{path}", self.address)).header("Accept-Language", "en");
        match token {
            Some(t) => r.bearer_auth(t),
            None => r,
        }
    }

    /// `GET`.
    pub async fn get(&self, path: &str, token: &str) -> Res {
        self.send(self.request(Method::GET, path, Some(token))).await
    }

    /// `POST` of JSON.
    pub async fn post(&self, path: &str, token: &str, body: Value) -> Res {
        self.send(self.request(Method::POST, path, Some(token)).json(&body)).await
    }

    /// Takes `student` through 院推 and 校聘 as the university admin `token`: nominates them for
    /// `year` and `unit` with `statement`, submits, reviews (90/90/90), recommends with a
    /// justification and appoints (with `capacity`, if given). The id of the active appointment.
    pub async fn appoint(
        &self,
        token: &str,
        student: &str,
        year: &str,
        unit: &str,
        statement: &str,
        capacity: Option<i32>,
    ) -> String {
        let body = json!({"student_id": student, "academic_year_id": year, "unit_id": unit, "statement": statement});
        let n = self.post("/api/v1/nominations", token, body).await.expect(201).id();
        for (action, body) in [
            ("submit", json!({})),
            ("review", json!({"morality": 90, "research": 90, "leadership": 90})),
            ("recommend", json!({"justification": "表现突出"})),
        ] {
            self.post(&format!("/api/v1/nominations/{n}/{action}"), token, body).await.expect(200);
        }
        let mut body = json!({"nomination_id": n});
        if let Some(c) = capacity {
            body["capacity"] = json!(c);
        }
        let res = self.post("/api/v1/appointments", token, body).await.expect(201);
        assert_eq!(res.body["state"], "active", "{}", res.text);
        res.id()
    }

    /// The password grant; the whole token response.
    pub async fn login_full(&self, username: &str, password: &str) -> Res {
        self.send(self.request(Method::POST, "/api/v1/auth/token", None).form(&[
            ("grant_type", "password"),
            ("username", username),
            ("password", password),
        ]))
        .await
    }

    /// Logs in; the access token.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let res = self.login_full(username, password).await.expect(200);
        res.body["access_token"].as_str().expect("an access token").to_owned()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
