//! Optional enforcement of Telegram's flood limits on `sendMessage`.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Flood limits; `None` means unlimited. Off by default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RateLimits {
    /// At most this many `sendMessage` per second, all chats together.
    pub per_second: Option<usize>,
    /// At most this many `sendMessage` per minute into one group (chat id < 0).
    pub per_minute_per_group: Option<usize>,
}

impl RateLimits {
    /// The limits Telegram documents: 30 messages a second, 20 a minute per group.
    pub fn telegram() -> Self {
        Self {
            per_second: Some(30),
            per_minute_per_group: Some(20),
        }
    }
}

/// Remembers recent sends and says whether one more would breach a limit.
#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    pub limits: RateLimits,
    sent: VecDeque<(Instant, i64)>,
}

impl RateLimiter {
    pub fn new(limits: RateLimits) -> Self {
        Self {
            limits,
            sent: VecDeque::new(),
        }
    }

    /// Counts a send to `chat_id` at `now`, or says which limit it breaches
    /// and after how many seconds a retry would pass (the send is not counted).
    pub fn admit(&mut self, chat_id: i64, now: Instant) -> Result<(), (String, u64)> {
        let minute = Duration::from_secs(60);
        while self
            .sent
            .front()
            .is_some_and(|(t, _)| now.duration_since(*t) >= minute)
        {
            self.sent.pop_front();
        }
        if let Some(max) = self.limits.per_second {
            let second = Duration::from_secs(1);
            let recent: Vec<Instant> = self
                .sent
                .iter()
                .filter(|(t, _)| now.duration_since(*t) < second)
                .map(|(t, _)| *t)
                .collect();
            if recent.len() >= max {
                return Err((format!("more than {max} sendMessage per second"), 1));
            }
        }
        if let (Some(max), true) = (self.limits.per_minute_per_group, chat_id < 0) {
            let in_chat: Vec<Instant> = self
                .sent
                .iter()
                .filter(|(_, c)| *c == chat_id)
                .map(|(t, _)| *t)
                .collect();
            if in_chat.len() >= max {
                let oldest = in_chat[in_chat.len() - max];
                let wait = minute.saturating_sub(now.duration_since(oldest));
                let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                return Err((
                    format!("more than {max} sendMessage per minute to group {chat_id}"),
                    seconds.max(1),
                ));
            }
        }
        self.sent.push_back((now, chat_id));
        Ok(())
    }
}
