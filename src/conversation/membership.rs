//! The bot's own membership: a group that adds it gets a short welcome
//! (it is never subscribed by itself); a group that removes it is
//! unsubscribed.

use super::{ChatKind, Conversation, Effect, Membership, Turn};
use crate::messages::texts;
use crate::render::escape;

pub(super) fn changed(conv: &Conversation, turn: &Turn, change: Membership) -> Vec<Effect> {
    if turn.chat.kind == ChatKind::Private {
        return Vec::new();
    }
    match change {
        Membership::Added => {
            log::info!("added to a group");
            vec![turn.say(escape(texts(turn.lang).group_welcome))]
        }
        Membership::Removed => {
            log::info!("removed from a group: unsubscribing it");
            if let Err(e) = conv.store.unsubscribe(turn.chat.id) {
                log::warn!("unsubscribing a group that removed the bot: {e}");
            }
            Vec::new()
        }
        Membership::Other => Vec::new(),
    }
}
