//! Telegram's flood limits for everything the bot sends into chats.
//!
//! Replies, edits, notices to admins and the June 1 broadcast all take a
//! slot here before their request, so together they stay within the
//! limits Telegram documents (and teloxide's `Limits::default` had): at
//! most 30 messages a second overall, one a second per chat, 20 a minute
//! per group (chat id < 0).
//!
//! A send counts against a window from its start until the window's
//! length after its answer is back. The server counts a request when it
//! arrives, which we cannot see — but it has arrived by the time its
//! answer is back, so however slow the network, no window the server
//! counts can hold more sends than the limit.
//!
//! A send goes out at once when the limits allow it. Otherwise it waits in
//! line: first come, first served, replies before the broadcast (a person
//! is waiting for a reply); a chat held by its own limit does not hold up
//! the chats behind it, and the sends of one chat keep their order. The
//! broadcast also keeps to its own rate (`BALABOT_BROADCAST_RATE`), with
//! its sends spaced evenly.
//!
//! [`Book`] is the bookkeeping, plain functions of the time they are
//! given; [`Limiter`] waits on it, with a timer task that lets a waiter go
//! when a window frees. `Limiter::off()` lets everything through at once
//! (`BALABOT_THROTTLE=off`, load tests only).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::{Notify, oneshot};
use tokio::time::{Duration, Instant};

/// The one-second window, with a margin for the server's clock.
pub const SECOND: Duration = Duration::from_millis(1005);
/// The one-minute window of groups, with the same margin.
pub const MINUTE: Duration = Duration::from_millis(60_005);

/// How many sends each window allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// All chats together, per second.
    pub per_second: usize,
    /// One chat, per second.
    pub per_chat_per_second: usize,
    /// One group (chat id < 0), per minute.
    pub per_group_per_minute: usize,
    /// The broadcast's own sends, per second (spaced evenly).
    pub bulk_per_second: usize,
}

impl Limits {
    /// Telegram's limits, with the broadcast at `broadcast_rate` messages a
    /// second; a rate above 30 (a bot Telegram allows more) raises the
    /// overall limit with it.
    pub fn telegram(broadcast_rate: u32) -> Limits {
        let bulk = (broadcast_rate as usize).max(1);
        Limits {
            per_second: bulk.max(30),
            per_chat_per_second: 1,
            per_group_per_minute: 20,
            bulk_per_second: bulk,
        }
    }
}

/// Whose send it is: a reply to someone (replies, edits, notices to
/// admins), or the June 1 broadcast, which waits behind replies and keeps
/// to its own rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Traffic {
    Reply,
    Broadcast,
}

#[derive(Debug, Clone, Copy)]
struct Send {
    id: u64,
    bulk: bool,
    answered: Option<Instant>,
}

impl Send {
    /// Does it still count in a window of this length?
    fn counts(&self, window: Duration, now: Instant) -> bool {
        self.answered.is_none_or(|t| now < t + window)
    }
}

/// May a send start now?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Go,
    /// Not yet. `until`: when to look again (`None`: not before an answer
    /// is back). `shared`: a limit of all chats binds, so nobody of this
    /// traffic can go now; otherwise only this chat waits.
    Wait {
        until: Option<Instant>,
        shared: bool,
    },
}

/// If `max` or more of `sends` count at `now`: the first time one of them
/// stops counting (`None` while all are in flight). `None` if under `max`.
fn full<'a>(
    sends: impl Iterator<Item = &'a Send>,
    window: Duration,
    max: usize,
    now: Instant,
) -> Option<Option<Instant>> {
    let mut n = 0;
    let mut first: Option<Instant> = None;
    for s in sends.filter(|s| s.counts(window, now)) {
        n += 1;
        if let Some(t) = s.answered {
            first = Some(first.map_or(t + window, |f| f.min(t + window)));
        }
    }
    (n >= max).then_some(first)
}

/// The verdict of several binding limits: wait for all of them.
fn wait_for_all(
    acc: Option<Option<Instant>>,
    limit: Option<Option<Instant>>,
) -> Option<Option<Instant>> {
    match (acc, limit) {
        (acc, None) => acc,
        (None, limit) => limit,
        (Some(Some(a)), Some(Some(b))) => Some(Some(a.max(b))),
        (Some(_), Some(_)) => Some(None),
    }
}

/// The sends that still count, overall and per chat: what the limits are
/// checked against.
#[derive(Debug)]
pub struct Book {
    limits: Limits,
    next_id: u64,
    /// Sends counting in the one-second window of all chats.
    recent: VecDeque<Send>,
    /// Per chat, sends counting against that chat's limits.
    chats: HashMap<i64, VecDeque<Send>>,
    last_bulk_start: Option<Instant>,
    last_sweep: Option<Instant>,
}

fn chat_window(chat: i64) -> Duration {
    if chat < 0 { MINUTE } else { SECOND }
}

impl Book {
    pub fn new(limits: Limits) -> Book {
        Book {
            limits,
            next_id: 0,
            recent: VecDeque::new(),
            chats: HashMap::new(),
            last_bulk_start: None,
            last_sweep: None,
        }
    }

    /// Forgets sends that no longer count.
    fn prune(&mut self, chat: i64, now: Instant) {
        self.recent.retain(|s| s.counts(SECOND, now));
        if self.last_sweep.is_none_or(|t| now >= t + MINUTE) {
            self.last_sweep = Some(now);
            self.chats.retain(|&c, sends| {
                sends.retain(|s| s.counts(chat_window(c), now));
                !sends.is_empty()
            });
        } else if let Some(sends) = self.chats.get_mut(&chat) {
            sends.retain(|s| s.counts(chat_window(chat), now));
            if sends.is_empty() {
                self.chats.remove(&chat);
            }
        }
    }

    /// May a send of `traffic` to `chat` start at `now`?
    pub fn check(&mut self, chat: i64, traffic: Traffic, now: Instant) -> Verdict {
        self.prune(chat, now);
        let l = &self.limits;
        let mut everyone = full(self.recent.iter(), SECOND, l.per_second, now);
        if traffic == Traffic::Broadcast {
            let bulk = self.recent.iter().filter(|s| s.bulk);
            everyone = wait_for_all(everyone, full(bulk, SECOND, l.bulk_per_second, now));
            let gap = Duration::from_secs(1) / l.bulk_per_second.max(1) as u32;
            if let Some(next) = self.last_bulk_start.map(|t| t + gap).filter(|&t| t > now) {
                everyone = wait_for_all(everyone, Some(Some(next)));
            }
        }
        let mut this_chat = None;
        if let Some(sends) = self.chats.get(&chat) {
            this_chat = full(sends.iter(), SECOND, l.per_chat_per_second, now);
            if chat < 0 {
                let minute = full(sends.iter(), MINUTE, l.per_group_per_minute, now);
                this_chat = wait_for_all(this_chat, minute);
            }
        }
        match (everyone, this_chat) {
            (None, None) => Verdict::Go,
            (everyone, this_chat) => Verdict::Wait {
                until: wait_for_all(everyone, this_chat).flatten(),
                shared: everyone.is_some(),
            },
        }
    }

    /// Records a send starting at `now` (after [`Book::check`] said `Go`);
    /// returns its id for [`Book::answered`].
    pub fn start(&mut self, chat: i64, traffic: Traffic, now: Instant) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let send = Send {
            id,
            bulk: traffic == Traffic::Broadcast,
            answered: None,
        };
        self.recent.push_back(send);
        self.chats.entry(chat).or_default().push_back(send);
        if traffic == Traffic::Broadcast {
            self.last_bulk_start = Some(now);
        }
        id
    }

    /// The answer to send `id` is back (or it failed, or was given up).
    pub fn answered(&mut self, chat: i64, id: u64, now: Instant) {
        let sends = self.recent.iter_mut();
        let in_chat = self.chats.get_mut(&chat).into_iter().flatten();
        for s in sends.chain(in_chat).filter(|s| s.id == id) {
            s.answered = Some(now);
        }
    }
}

struct Waiter {
    chat: i64,
    grant: oneshot::Sender<Permit>,
}

/// The book and the line of waiting sends.
struct Line {
    book: Book,
    replies: VecDeque<Waiter>,
    bulk: VecDeque<Waiter>,
    /// When the timer task should look again.
    wake: Option<Instant>,
}

impl Line {
    /// Lets go every waiter the limits allow at `now`, in order; returns
    /// them with their permits, to be handed over after the lock is released.
    fn pass(&mut self, now: Instant, shared: &Arc<Shared>) -> Vec<(Waiter, Permit)> {
        let mut granted = Vec::new();
        let mut wake: Option<Instant> = None;
        for traffic in [Traffic::Reply, Traffic::Broadcast] {
            let queue = match traffic {
                Traffic::Reply => &mut self.replies,
                Traffic::Broadcast => &mut self.bulk,
            };
            let mut held = HashSet::new();
            let mut i = 0;
            while i < queue.len() {
                let chat = queue[i].chat;
                if queue[i].grant.is_closed() {
                    // The sender gave up waiting.
                    queue.remove(i);
                    continue;
                }
                if held.contains(&chat) {
                    i += 1;
                    continue;
                }
                match self.book.check(chat, traffic, now) {
                    Verdict::Go => {
                        let id = self.book.start(chat, traffic, now);
                        if let Some(w) = queue.remove(i) {
                            let permit = Permit {
                                shared: Some(shared.clone()),
                                chat,
                                id,
                            };
                            granted.push((w, permit));
                        }
                    }
                    Verdict::Wait { until, shared } => {
                        if let Some(t) = until {
                            wake = Some(wake.map_or(t, |w| w.min(t)));
                        }
                        if shared {
                            break;
                        }
                        held.insert(chat);
                        i += 1;
                    }
                }
            }
        }
        self.wake = wake;
        granted
    }

    fn is_empty(&self) -> bool {
        self.replies.is_empty() && self.bulk.is_empty()
    }
}

struct Shared {
    line: Mutex<Line>,
    /// Wakes the timer task: the line or its wake time changed.
    changed: Notify,
}

impl Shared {
    fn line(&self) -> MutexGuard<'_, Line> {
        // The line's data stays consistent between statements; a panic
        // elsewhere must not stop every send.
        self.line.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs a pass and hands the permits over (outside the lock: a permit
    /// nobody takes any more is dropped, and dropping locks).
    fn pass(self: &Arc<Self>) {
        let (granted, waiting) = {
            let mut line = self.line();
            let granted = line.pass(Instant::now(), self);
            (granted, !line.is_empty())
        };
        for (waiter, permit) in granted {
            let _ = waiter.grant.send(permit);
        }
        if waiting {
            self.changed.notify_one();
        }
    }
}

/// The right to send one message; dropping it marks the send answered.
/// Hold it until the answer to the request is back.
#[must_use = "the send counts as answered when the permit is dropped"]
pub struct Permit {
    shared: Option<Arc<Shared>>,
    chat: i64,
    id: u64,
}

impl Drop for Permit {
    fn drop(&mut self) {
        if let Some(shared) = self.shared.take() {
            shared
                .line()
                .book
                .answered(self.chat, self.id, Instant::now());
            shared.pass();
        }
    }
}

/// Hands out send slots within the limits (cheap to clone: one shared line).
#[derive(Clone)]
pub struct Limiter {
    shared: Option<Arc<Shared>>,
}

impl Limiter {
    /// A limiter keeping to `limits`. Starts its timer task, so call it
    /// inside the tokio runtime.
    pub fn new(limits: Limits) -> Limiter {
        let shared = Arc::new(Shared {
            line: Mutex::new(Line {
                book: Book::new(limits),
                replies: VecDeque::new(),
                bulk: VecDeque::new(),
                wake: None,
            }),
            changed: Notify::new(),
        });
        tokio::spawn(timer(shared.clone()));
        Limiter {
            shared: Some(shared),
        }
    }

    /// No limits at all (load tests against a local server only).
    pub fn off() -> Limiter {
        Limiter { shared: None }
    }

    /// Waits until a message of `traffic` may go to `chat`; send it right
    /// away and drop the permit when its answer is back.
    pub async fn slot(&self, chat: i64, traffic: Traffic) -> Permit {
        let Some(shared) = &self.shared else {
            return Permit {
                shared: None,
                chat,
                id: 0,
            };
        };
        let (grant, granted) = oneshot::channel();
        {
            let mut line = shared.line();
            let waiter = Waiter { chat, grant };
            match traffic {
                Traffic::Reply => line.replies.push_back(waiter),
                Traffic::Broadcast => line.bulk.push_back(waiter),
            }
        }
        shared.pass();
        match granted.await {
            Ok(permit) => permit,
            // Unreachable: a waiter leaves the line only with its permit,
            // or when it stopped waiting. Not sending is never the answer.
            Err(_) => Permit {
                shared: None,
                chat,
                id: 0,
            },
        }
    }
}

/// Lets waiters go when a window frees: sleeps until the line's wake time
/// or until the line changes.
async fn timer(shared: Arc<Shared>) {
    loop {
        let wake = shared.line().wake;
        match wake {
            Some(t) => {
                tokio::select! {
                    () = tokio::time::sleep_until(t) => shared.pass(),
                    () = shared.changed.notified() => {}
                }
            }
            None => shared.changed.notified().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn go(book: &mut Book, chat: i64, traffic: Traffic, now: Instant) -> u64 {
        assert_eq!(book.check(chat, traffic, now), Verdict::Go, "chat {chat}");
        book.start(chat, traffic, now)
    }

    #[test]
    fn thirty_chats_go_at_once_and_the_31st_waits_a_second_after_the_first_answer() {
        let mut book = Book::new(Limits::telegram(30));
        let t0 = Instant::now();
        let ids: Vec<u64> = (1..=30)
            .map(|c| go(&mut book, c, Traffic::Reply, t0))
            .collect();
        // All in flight: nobody knows when the window frees.
        assert_eq!(
            book.check(31, Traffic::Reply, t0 + ms(10)),
            Verdict::Wait {
                until: None,
                shared: true
            }
        );
        for (i, &id) in ids.iter().enumerate() {
            book.answered(i as i64 + 1, id, t0 + ms(20 + i as u64));
        }
        let free = t0 + ms(20) + SECOND;
        assert_eq!(
            book.check(31, Traffic::Reply, t0 + ms(500)),
            Verdict::Wait {
                until: Some(free),
                shared: true
            }
        );
        assert_eq!(book.check(31, Traffic::Reply, free), Verdict::Go);
    }

    #[test]
    fn a_slow_answer_keeps_its_send_counting() {
        let mut book = Book::new(Limits::telegram(30));
        let t0 = Instant::now();
        let id = go(&mut book, 7, Traffic::Reply, t0);
        // Ten seconds without an answer: it may arrive at the server now.
        assert!(matches!(
            book.check(7, Traffic::Reply, t0 + Duration::from_secs(10)),
            Verdict::Wait {
                until: None,
                shared: false
            }
        ));
        book.answered(7, id, t0 + Duration::from_secs(10));
        let free = t0 + Duration::from_secs(10) + SECOND;
        assert!(matches!(
            book.check(7, Traffic::Reply, free - ms(1)),
            Verdict::Wait { until: Some(t), shared: false } if t == free
        ));
        assert_eq!(book.check(7, Traffic::Reply, free), Verdict::Go);
    }

    #[test]
    fn one_message_a_second_per_chat_and_other_chats_are_not_held() {
        let mut book = Book::new(Limits::telegram(30));
        let t0 = Instant::now();
        let id = go(&mut book, 5, Traffic::Reply, t0);
        book.answered(5, id, t0 + ms(3));
        assert_eq!(
            book.check(5, Traffic::Reply, t0 + ms(4)),
            Verdict::Wait {
                until: Some(t0 + ms(3) + SECOND),
                shared: false
            }
        );
        go(&mut book, 6, Traffic::Reply, t0 + ms(4));
        go(&mut book, 5, Traffic::Reply, t0 + ms(3) + SECOND);
    }

    #[test]
    fn twenty_messages_a_minute_per_group() {
        let mut book = Book::new(Limits::telegram(30));
        let t0 = Instant::now();
        let mut t = t0;
        for _ in 0..20 {
            let id = go(&mut book, -100, Traffic::Reply, t);
            book.answered(-100, id, t + ms(5));
            t += ms(5) + SECOND;
        }
        let free = t0 + ms(5) + MINUTE;
        assert_eq!(
            book.check(-100, Traffic::Reply, t),
            Verdict::Wait {
                until: Some(free),
                shared: false
            }
        );
        // A private chat with the same number is not a group.
        go(&mut book, 100, Traffic::Reply, t);
        go(&mut book, -100, Traffic::Reply, free);
    }

    #[test]
    fn the_broadcast_is_spaced_and_keeps_to_its_own_rate() {
        let mut book = Book::new(Limits::telegram(10));
        let t0 = Instant::now();
        go(&mut book, 1, Traffic::Broadcast, t0);
        assert_eq!(
            book.check(2, Traffic::Broadcast, t0 + ms(50)),
            Verdict::Wait {
                until: Some(t0 + ms(100)),
                shared: true
            }
        );
        // Replies are not spaced.
        go(&mut book, 3, Traffic::Reply, t0 + ms(50));
        for i in 1..10 {
            go(
                &mut book,
                10 + i,
                Traffic::Broadcast,
                t0 + ms(100 * i as u64),
            );
        }
        // Ten broadcast sends in flight: its own limit binds, not the overall one.
        assert!(matches!(
            book.check(50, Traffic::Broadcast, t0 + ms(1000)),
            Verdict::Wait {
                until: None,
                shared: true
            }
        ));
        go(&mut book, 51, Traffic::Reply, t0 + ms(1000));
    }

    #[test]
    fn a_higher_broadcast_rate_raises_the_overall_limit() {
        assert_eq!(Limits::telegram(30).per_second, 30);
        assert_eq!(Limits::telegram(5).per_second, 30);
        assert_eq!(Limits::telegram(100).per_second, 100);
        assert_eq!(Limits::telegram(0).bulk_per_second, 1);
    }

    #[test]
    fn no_window_ever_holds_more_than_the_limit() {
        // Tries to send to 3 chats, a group and many other chats at random
        // moments, far more often than the limits allow, with random
        // network delays; whenever the book says Go, the send goes. The
        // server sees each request somewhere between its start and its
        // answer: in every one-second window of arrivals at most 30, per
        // chat at most 1, per group and minute at most 20 — and the limits
        // are reached, not just kept.
        let mut book = Book::new(Limits::telegram(30));
        let t0 = Instant::now();
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut random = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let mut in_flight: Vec<(i64, u64, Instant)> = Vec::new();
        let mut arrivals: Vec<(Instant, i64)> = Vec::new();
        let mut now = t0;
        for _ in 0..40_000 {
            now += ms(random(4));
            in_flight.retain(|&(chat, id, answer)| {
                let back = answer <= now;
                if back {
                    book.answered(chat, id, answer);
                }
                !back
            });
            let chat = match random(8) {
                0 => 1,
                1 => 2,
                2 => 3,
                3 => -9,
                _ => 100 + random(2000) as i64,
            };
            let traffic = if random(3) == 0 {
                Traffic::Broadcast
            } else {
                Traffic::Reply
            };
            if book.check(chat, traffic, now) == Verdict::Go {
                let id = book.start(chat, traffic, now);
                let delay = ms(1 + random(400));
                arrivals.push((now + ms(random(delay.as_millis() as u64)), chat));
                in_flight.push((chat, id, now + delay));
            }
        }
        arrivals.sort();
        let second = Duration::from_secs(1);
        let (mut busiest_second, mut busiest_group_minute) = (0, 0);
        for (i, &(t, _)) in arrivals.iter().enumerate() {
            let window = arrivals[i..].iter().take_while(|&&(u, _)| u < t + second);
            busiest_second = busiest_second.max(window.clone().count());
            for chat in [1, 2, 3] {
                assert!(window.clone().filter(|a| a.1 == chat).count() <= 1);
            }
            let minute = arrivals[i..]
                .iter()
                .take_while(|&&(u, _)| u < t + 60 * second);
            busiest_group_minute = busiest_group_minute.max(minute.filter(|a| a.1 == -9).count());
        }
        assert!((25..=30).contains(&busiest_second), "{busiest_second}");
        assert_eq!(busiest_group_minute, 20);
    }

    /// Runs `waiters` (chat, traffic, name) one after another into the line;
    /// each holds its permit 10 ms. Returns the names in the order they went.
    async fn run_in_line(
        limiter: &Limiter,
        waiters: &[(i64, Traffic, &'static str)],
    ) -> Vec<&'static str> {
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for &(chat, traffic, name) in waiters {
            let (limiter, order) = (limiter.clone(), order.clone());
            tasks.push(tokio::spawn(async move {
                let permit = limiter.slot(chat, traffic).await;
                order.lock().expect("order").push(name);
                tokio::time::sleep(ms(10)).await;
                drop(permit);
            }));
            // Let it take its place in the line before the next one comes.
            tokio::task::yield_now().await;
        }
        for t in tasks {
            t.await.expect("task");
        }
        order.lock().expect("order").clone()
    }

    #[tokio::test(start_paused = true)]
    async fn a_chat_held_by_its_own_limit_holds_no_one_else() {
        let limiter = Limiter::new(Limits::telegram(30));
        drop(limiter.slot(1, Traffic::Reply).await);
        let t0 = Instant::now();
        let order = run_in_line(
            &limiter,
            &[
                (1, Traffic::Reply, "chat 1 again"),
                (3, Traffic::Reply, "chat 3"),
            ],
        )
        .await;
        assert_eq!(order, ["chat 3", "chat 1 again"]);
        assert!(Instant::now() >= t0 + SECOND);
    }

    #[tokio::test(start_paused = true)]
    async fn waiters_go_first_come_first_served_replies_before_the_broadcast() {
        let limiter = Limiter::new(Limits {
            per_second: 1,
            per_chat_per_second: 1,
            per_group_per_minute: 20,
            bulk_per_second: 1,
        });
        // The one slot of the second is taken until this permit is dropped.
        let busy = limiter.slot(9, Traffic::Reply).await;
        let release = tokio::spawn(async move {
            tokio::time::sleep(ms(100)).await;
            drop(busy);
        });
        let order = run_in_line(
            &limiter,
            &[
                (2, Traffic::Broadcast, "broadcast 2"),
                (3, Traffic::Reply, "reply 3"),
                (4, Traffic::Broadcast, "broadcast 4"),
                (5, Traffic::Reply, "reply 5"),
            ],
        )
        .await;
        release.await.expect("release");
        assert_eq!(order, ["reply 3", "reply 5", "broadcast 2", "broadcast 4"]);
    }

    #[tokio::test]
    async fn off_lets_everything_through_at_once() {
        let limiter = Limiter::off();
        let mut permits = Vec::new();
        for _ in 0..100 {
            permits.push(limiter.slot(1, Traffic::Reply).await);
        }
        assert_eq!(permits.len(), 100);
    }
}
