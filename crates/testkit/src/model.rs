//! The people, chats and memberships of a test, and their Bot API JSON.

use serde_json::{Value, json};

/// A Telegram user who writes to the bot.
#[derive(Debug, Clone, PartialEq)]
pub struct TgUser {
    pub id: i64,
    pub first_name: String,
    pub last_name: Option<String>,
    pub username: Option<String>,
    /// IETF language tag of the user's client (`ru`, `kk`, `en`...).
    pub language_code: Option<String>,
    pub is_bot: bool,
}

impl TgUser {
    /// A human user with a first name only.
    pub fn new(id: i64, first_name: &str) -> Self {
        Self {
            id,
            first_name: first_name.to_owned(),
            last_name: None,
            username: None,
            language_code: None,
            is_bot: false,
        }
    }

    pub fn username(mut self, username: &str) -> Self {
        self.username = Some(username.to_owned());
        self
    }

    pub fn last_name(mut self, last_name: &str) -> Self {
        self.last_name = Some(last_name.to_owned());
        self
    }

    pub fn language(mut self, code: &str) -> Self {
        self.language_code = Some(code.to_owned());
        self
    }

    /// The `User` object.
    pub fn json(&self) -> Value {
        let mut user =
            json!({ "id": self.id, "is_bot": self.is_bot, "first_name": self.first_name });
        if let Some(v) = &self.last_name {
            user["last_name"] = json!(v);
        }
        if let Some(v) = &self.username {
            user["username"] = json!(v);
        }
        if let Some(v) = &self.language_code {
            user["language_code"] = json!(v);
        }
        user
    }
}

/// The kind of a chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatKind {
    Private,
    Group,
    Supergroup,
}

/// A chat the bot is in.
#[derive(Debug, Clone, PartialEq)]
pub struct TgChat {
    pub id: i64,
    pub kind: ChatKind,
    /// Group title, or the other party's first name in a private chat.
    pub title: String,
    pub username: Option<String>,
}

impl TgChat {
    /// The private chat with `user` (its id is the user's id).
    pub fn private(user: &TgUser) -> Self {
        Self {
            id: user.id,
            kind: ChatKind::Private,
            title: user.first_name.clone(),
            username: user.username.clone(),
        }
    }

    /// A basic group; Telegram gives them small negative ids such as `-4012345678`.
    pub fn group(id: i64, title: &str) -> Self {
        assert!(id < 0, "group chat ids are negative, got {id}");
        Self {
            id,
            kind: ChatKind::Group,
            title: title.to_owned(),
            username: None,
        }
    }

    /// A supergroup; Telegram gives them ids such as `-1001234567890`.
    pub fn supergroup(id: i64, title: &str) -> Self {
        assert!(id < 0, "supergroup chat ids are negative, got {id}");
        Self {
            id,
            kind: ChatKind::Supergroup,
            title: title.to_owned(),
            username: None,
        }
    }

    /// A chat known only by id, typed as Telegram types ids: positive is a
    /// private chat, `-100...` a supergroup, other negative ids a group.
    pub fn from_id(id: i64) -> Self {
        match id {
            id if id > 0 => Self::private(&TgUser::new(id, &format!("User{id}"))),
            id if id <= -1_000_000_000_000 => Self::supergroup(id, &format!("Supergroup {id}")),
            id => Self::group(id, &format!("Group {id}")),
        }
    }

    pub fn is_group(&self) -> bool {
        self.kind != ChatKind::Private
    }

    /// The `Chat` object.
    pub fn json(&self) -> Value {
        match self.kind {
            ChatKind::Private => {
                let mut chat =
                    json!({ "id": self.id, "type": "private", "first_name": self.title });
                if let Some(u) = &self.username {
                    chat["username"] = json!(u);
                }
                chat
            }
            ChatKind::Group => json!({ "id": self.id, "type": "group", "title": self.title }),
            ChatKind::Supergroup => {
                let mut chat = json!({ "id": self.id, "type": "supergroup", "title": self.title });
                if let Some(u) = &self.username {
                    chat["username"] = json!(u);
                }
                chat
            }
        }
    }
}

/// A user's status in a chat, as `getChatMember` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberStatus {
    Creator,
    Administrator,
    Member,
    Left,
    Kicked,
}

impl MemberStatus {
    /// The `ChatMember` object for `user` (a `User` object) with this status.
    pub fn json(self, user: &Value) -> Value {
        match self {
            MemberStatus::Creator => {
                json!({ "status": "creator", "user": user, "is_anonymous": false })
            }
            MemberStatus::Administrator => json!({
                "status": "administrator",
                "user": user,
                "can_be_edited": false,
                "is_anonymous": false,
                "can_manage_chat": true,
                "can_delete_messages": true,
                "can_manage_video_chats": true,
                "can_restrict_members": true,
                "can_promote_members": false,
                "can_change_info": true,
                "can_invite_users": true,
                "can_post_stories": false,
                "can_edit_stories": false,
                "can_delete_stories": false,
                "can_pin_messages": true,
                "can_manage_topics": false
            }),
            MemberStatus::Member => json!({ "status": "member", "user": user }),
            MemberStatus::Left => json!({ "status": "left", "user": user }),
            MemberStatus::Kicked => json!({ "status": "kicked", "user": user, "until_date": 0 }),
        }
    }
}

/// Who the fake bot is: its token and what `getMe` answers.
#[derive(Debug, Clone, PartialEq)]
pub struct BotProfile {
    /// The token the fake accepts; any other gets 401 Unauthorized.
    pub token: String,
    pub id: i64,
    pub first_name: String,
    pub username: String,
    pub can_join_groups: bool,
    /// Privacy mode off (the bot sees every group message).
    pub can_read_all_group_messages: bool,
    pub supports_inline_queries: bool,
}

impl Default for BotProfile {
    fn default() -> Self {
        Self {
            token: "7000000001:AAFakeBalabotTestToken0123456789xyz".to_owned(),
            id: 7_000_000_001,
            first_name: "Balabot".to_owned(),
            username: "balabot_test_bot".to_owned(),
            can_join_groups: true,
            can_read_all_group_messages: false,
            supports_inline_queries: true,
        }
    }
}

impl BotProfile {
    /// The bot's `User` object, as it appears in messages.
    pub fn user_json(&self) -> Value {
        json!({
            "id": self.id,
            "is_bot": true,
            "first_name": self.first_name,
            "username": self.username,
        })
    }

    /// What `getMe` returns.
    pub fn get_me_json(&self) -> Value {
        let mut me = self.user_json();
        me["can_join_groups"] = json!(self.can_join_groups);
        me["can_read_all_group_messages"] = json!(self.can_read_all_group_messages);
        me["supports_inline_queries"] = json!(self.supports_inline_queries);
        me["can_connect_to_business"] = json!(false);
        me["has_main_web_app"] = json!(false);
        me
    }
}
