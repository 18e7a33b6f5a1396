//! [`FakeTelegram`]: the handle a test holds on the fake Bot API server.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::oneshot;
use tokio::time::Instant;

use crate::faults::{ChatFault, Fault};
use crate::model::{BotProfile, MemberStatus};
use crate::rate_limit::{RateLimiter, RateLimits};
use crate::server;
use crate::state::{Call, SentDocument, Shared, State, Violation};
use crate::updates::Incoming;

/// A point in the call history ([`FakeTelegram::mark`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Mark(usize);

/// How to start the fake: who the bot is, and the flood limits (off by default).
#[derive(Debug, Clone, Default)]
pub struct FakeConfig {
    pub bot: BotProfile,
    pub rate_limits: RateLimits,
}

/// A fake Telegram Bot API server on 127.0.0.1, stopped when dropped.
pub struct FakeTelegram {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl FakeTelegram {
    /// Starts a fake with the default bot (`@balabot_test_bot`) on a free port.
    pub async fn start() -> Self {
        Self::start_with(FakeConfig::default()).await
    }

    pub async fn start_with(config: FakeConfig) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("fake Telegram: cannot bind 127.0.0.1");
        let addr = listener
            .local_addr()
            .expect("fake Telegram: no local address");
        let shared = Arc::new(Shared::new(State::new(config.bot, config.rate_limits)));
        let (stop, stopped) = oneshot::channel::<()>();
        let router = server::router(shared.clone());
        let task = tokio::spawn(server::serve(listener, router, async move {
            let _ = stopped.await;
        }));
        Self {
            shared,
            addr,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// `http://127.0.0.1:PORT`, the value for `TELOXIDE_API_URL`.
    pub fn api_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The token the fake accepts, the value for `TELOXIDE_TOKEN`.
    pub fn token(&self) -> String {
        self.shared.lock().bot.token.clone()
    }

    /// `TELOXIDE_TOKEN` and `TELOXIDE_API_URL` for a bot process (`Command::envs`).
    pub fn env(&self) -> [(&'static str, String); 2] {
        [
            ("TELOXIDE_TOKEN", self.token()),
            ("TELOXIDE_API_URL", self.api_url()),
        ]
    }

    /// A teloxide client talking to this fake (for tests that drive teloxide directly).
    pub fn client(&self) -> teloxide::Bot {
        let url = self
            .api_url()
            .parse()
            .expect("fake Telegram: api_url is a URL");
        teloxide::Bot::new(self.token()).set_api_url(url)
    }

    /// Who the bot is.
    pub fn bot(&self) -> BotProfile {
        self.shared.lock().bot.clone()
    }

    // ---- the world the bot lives in ----

    /// Queues an update for the bot's next getUpdates and returns its JSON
    /// (its `message.message_id`, `callback_query.id`... are there).
    pub fn push(&self, incoming: Incoming) -> Value {
        let update = {
            let mut st = self.shared.lock();
            let update = incoming.render(&mut st);
            st.queue.push_back(update.clone());
            update
        };
        self.shared.updates_changed.notify_waiters();
        update
    }

    /// Updates queued and not yet confirmed by the bot's `offset`.
    pub fn pending_updates(&self) -> usize {
        self.shared.lock().queue.len()
    }

    /// The last `allowed_updates` the bot sent (empty: never, or Telegram's default).
    pub fn allowed_updates(&self) -> Vec<String> {
        self.shared.lock().allowed_updates.clone()
    }

    /// What `getChatMember(chat_id, user_id)` answers (default: `member`).
    pub fn set_member_status(&self, chat_id: i64, user_id: i64, status: MemberStatus) {
        self.shared
            .lock()
            .members
            .insert((chat_id, user_id), status);
    }

    /// Keeps `bytes` as a file and returns its file_id, for
    /// `Incoming::document`: getFile and the download path then serve it.
    pub fn add_file(&self, bytes: impl Into<Vec<u8>>) -> String {
        self.shared.lock().store_file(bytes.into(), None).file_id
    }

    /// The documents the bot sent (sendDocument), in order, with their bytes.
    pub fn sent_documents(&self) -> Vec<SentDocument> {
        self.shared.lock().sent_documents.clone()
    }

    /// The `file_path` of every download (`GET /file/bot<token>/<path>`), in order.
    pub fn downloads(&self) -> Vec<String> {
        self.shared.lock().downloads.clone()
    }

    /// The current version of a message (a user's or the bot's, edits included).
    pub fn message(&self, chat_id: i64, message_id: i64) -> Option<Value> {
        self.shared
            .lock()
            .messages
            .get(&(chat_id, message_id))
            .cloned()
    }

    /// The latest message the bot sent to `chat_id`, edits included.
    pub fn last_sent(&self, chat_id: i64) -> Option<Value> {
        let st = self.shared.lock();
        let bot = st.bot.id;
        st.messages
            .iter()
            .filter(|((chat, _), m)| *chat == chat_id && m["from"]["id"].as_i64() == Some(bot))
            .max_by_key(|((_, id), _)| *id)
            .map(|(_, m)| m.clone())
    }

    // ---- faults ----

    /// The next `n` calls of `method` (any letter case) fail with `fault`;
    /// scripted faults of one method are used in the order given.
    pub fn fail_next(&self, method: &str, n: usize, fault: Fault) {
        let mut st = self.shared.lock();
        let queue = st.faults.entry(method.to_ascii_lowercase()).or_default();
        queue.extend(std::iter::repeat_n(fault, n));
    }

    /// From now on, calls about `chat_id` fail with `fault` (403 blocked / 400 chat not found).
    pub fn fail_chat(&self, chat_id: i64, fault: ChatFault) {
        self.shared.lock().chat_faults.insert(chat_id, fault);
    }

    /// Forgets every scripted and chat fault.
    pub fn clear_faults(&self) {
        let mut st = self.shared.lock();
        st.faults.clear();
        st.chat_faults.clear();
    }

    /// Enforces (or, with the default, stops enforcing) flood limits on `sendMessage`.
    pub fn set_rate_limits(&self, limits: RateLimits) {
        self.shared.lock().rate = RateLimiter::new(limits);
    }

    // ---- what the bot did ----

    /// Every call so far, in arrival order (in-flight ones have `status: None`).
    pub fn calls(&self) -> Vec<Call> {
        self.shared.lock().calls.clone()
    }

    /// The calls of `method` (any letter case).
    pub fn calls_of(&self, method: &str) -> Vec<Call> {
        self.calls_of_after(Mark(0), method)
    }

    /// A point in the call history: take one before an action, and look
    /// only at the calls after it (`wait_for_after`, `calls_of_after`), so
    /// that an earlier call can never satisfy a check of the action.
    pub fn mark(&self) -> Mark {
        Mark(self.shared.lock().calls.len())
    }

    /// The calls of `method` (any letter case) that arrived after `mark`.
    pub fn calls_of_after(&self, mark: Mark, method: &str) -> Vec<Call> {
        let st = self.shared.lock();
        st.calls
            .get(mark.0..)
            .unwrap_or_default()
            .iter()
            .filter(|c| c.method.eq_ignore_ascii_case(method))
            .cloned()
            .collect()
    }

    /// Waits for a finished (answered or dropped) call of `method` that
    /// satisfies `predicate`; panics with the calls seen if none comes within `timeout`.
    pub async fn wait_for(
        &self,
        method: &str,
        predicate: impl Fn(&Call) -> bool,
        timeout: Duration,
    ) -> Call {
        self.wait_for_after(Mark(0), method, predicate, timeout)
            .await
    }

    /// Like [`FakeTelegram::wait_for`], among the calls that arrived after `mark`.
    pub async fn wait_for_after(
        &self,
        mark: Mark,
        method: &str,
        predicate: impl Fn(&Call) -> bool,
        timeout: Duration,
    ) -> Call {
        self.wait_for_where(mark, method, |c| c.is_finished() && predicate(c), timeout)
            .await
    }

    /// Like [`FakeTelegram::wait_for`], but also matches a call still in
    /// flight (such as a getUpdates that is long-polling).
    pub async fn wait_for_request(
        &self,
        method: &str,
        predicate: impl Fn(&Call) -> bool,
        timeout: Duration,
    ) -> Call {
        self.wait_for_where(Mark(0), method, predicate, timeout)
            .await
    }

    async fn wait_for_where(
        &self,
        mark: Mark,
        method: &str,
        predicate: impl Fn(&Call) -> bool,
        timeout: Duration,
    ) -> Call {
        // Calls before `from` are finished and do not match: a finished
        // call never changes, so they are not searched again. This keeps a
        // long run (10,000 sends, each waking the waiter) linear.
        let mut from = mark.0;
        self.wait_until(timeout, method, "no matching call", |st| {
            let mut settled = true;
            for (i, c) in st.calls.iter().enumerate().skip(from) {
                if c.method.eq_ignore_ascii_case(method) && predicate(c) {
                    return Some(c.clone());
                }
                settled &= c.is_finished();
                if settled {
                    from = i + 1;
                }
            }
            None
        })
        .await
    }

    /// Waits until `n` calls of `method` have finished; returns them all.
    pub async fn wait_for_count(&self, method: &str, n: usize, timeout: Duration) -> Vec<Call> {
        self.wait_for_count_after(Mark(0), method, n, timeout).await
    }

    /// Waits until `n` calls of `method` that arrived after `mark` have
    /// finished; returns those finished by then, in arrival order.
    pub async fn wait_for_count_after(
        &self,
        mark: Mark,
        method: &str,
        n: usize,
        timeout: Duration,
    ) -> Vec<Call> {
        // Finished calls of `method` before `from`, counted once.
        let (mut from, mut done) = (mark.0, 0);
        self.wait_until(
            timeout,
            method,
            &format!("fewer than {n} finished calls"),
            |st| {
                let mut settled = true;
                let mut ahead = 0;
                for (i, c) in st.calls.iter().enumerate().skip(from) {
                    let counts = c.method.eq_ignore_ascii_case(method) && c.is_finished();
                    settled &= c.is_finished();
                    if settled {
                        from = i + 1;
                        done += usize::from(counts);
                    } else {
                        ahead += usize::from(counts);
                    }
                }
                (done + ahead >= n).then_some(())
            },
        )
        .await;
        self.calls_of_after(mark, method)
            .into_iter()
            .filter(Call::is_finished)
            .collect()
    }

    /// Waits until a getUpdates is holding on for updates: the bot is up and polling.
    pub async fn wait_until_polling(&self, timeout: Duration) {
        self.wait_until(timeout, "getUpdates", "the bot did not long-poll", |st| {
            (st.polls_waiting > 0).then_some(())
        })
        .await
    }

    /// Checks `found` on the calls each time they change, until it finds
    /// something or `timeout` passes (then panics with `failure`).
    async fn wait_until<T>(
        &self,
        timeout: Duration,
        method: &str,
        failure: &str,
        mut found: impl FnMut(&State) -> Option<T>,
    ) -> T {
        let deadline = Instant::now() + timeout;
        // Subscribed before looking: a change after the look wakes us.
        let mut changed = self.shared.calls_changed.subscribe();
        loop {
            if let Some(value) = found(&self.shared.lock()) {
                return value;
            }
            let woke = tokio::time::timeout_at(deadline, changed.changed()).await;
            if !matches!(woke, Ok(Ok(()))) {
                panic!(
                    "fake Telegram: {failure} of {method} within {timeout:?}\n{}",
                    self.report(method)
                );
            }
        }
    }

    /// Watches for `during`, and panics if a call of `method` satisfying
    /// `predicate` arrives (e.g. the bot must stay silent in a group).
    pub async fn assert_no_call(
        &self,
        method: &str,
        predicate: impl Fn(&Call) -> bool,
        during: Duration,
    ) {
        let mark = self.mark();
        tokio::time::sleep(during).await;
        let unwanted: Vec<Call> = self
            .calls_of_after(mark, method)
            .into_iter()
            .filter(|c| predicate(c))
            .collect();
        assert!(
            unwanted.is_empty(),
            "fake Telegram: unexpected {method} calls: {unwanted:#?}"
        );
    }

    /// The last calls of `method` and all violations, for failure messages.
    fn report(&self, method: &str) -> String {
        let st = self.shared.lock();
        let mut out = format!("{} calls in all; last {method} calls:\n", st.calls.len());
        let of_method: Vec<&Call> = st
            .calls
            .iter()
            .filter(|c| c.method.eq_ignore_ascii_case(method))
            .collect();
        for call in of_method.iter().rev().take(10).rev() {
            out.push_str(&format!(
                "  status {:?}{} params {}\n",
                call.status,
                if call.dropped { " (dropped)" } else { "" },
                call.params
            ));
        }
        let methods: Vec<&str> = st.calls.iter().map(|c| c.method.as_str()).collect();
        out.push_str(&format!("all methods called: {methods:?}\n"));
        for v in &st.violations {
            out.push_str(&format!("violation: {v}\n"));
        }
        out
    }

    // ---- Bot API conformance ----

    /// Every breach of the Bot API so far.
    pub fn violations(&self) -> Vec<Violation> {
        self.shared.lock().violations.clone()
    }

    /// Returns and forgets the violations (for tests that provoke some on purpose).
    pub fn take_violations(&self) -> Vec<Violation> {
        std::mem::take(&mut self.shared.lock().violations)
    }

    /// Panics, listing them, if any call broke a rule of the Bot API.
    pub fn assert_no_violations(&self) {
        let violations = self.violations();
        if !violations.is_empty() {
            let list: Vec<String> = violations.iter().map(ToString::to_string).collect();
            panic!(
                "fake Telegram: {} Bot API violation(s):\n{}",
                list.len(),
                list.join("\n")
            );
        }
    }

    /// Stops the server and waits (at most 5 s) until it has closed its connections.
    pub async fn shutdown(mut self) {
        self.begin_shutdown();
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
    }

    /// Stops accepting connections and releases waiting getUpdates requests.
    fn begin_shutdown(&mut self) {
        self.shared.lock().shutting_down = true;
        self.shared.updates_changed.notify_waiters();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Drop for FakeTelegram {
    fn drop(&mut self) {
        self.begin_shutdown();
    }
}
