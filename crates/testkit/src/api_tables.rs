//! The Bot API, as far as the fake serves it: each method's parameters and
//! the fields of the objects they carry (name, JSON type, required), written
//! by hand after the Bot API 10.1 reference, plus the value lists it states.

/// A JSON type of the Bot API.
#[derive(Debug, Clone, Copy)]
pub enum Ty {
    Int,
    Str,
    Bool,
    /// `Integer or String`, as `chat_id`.
    IntOrStr,
    /// An object, checked against [`OBJECTS`] (or a union resolved by the checker).
    Obj(&'static str),
    /// An object the fake does not look into.
    AnyObj,
    Arr(&'static Ty),
}

use Ty::{AnyObj, Arr, Bool, Int, IntOrStr, Obj, Str};

/// A parameter or field: name, type, required.
pub type Field = (&'static str, Ty, bool);

const ENTITIES: Ty = Arr(&Obj("MessageEntity"));

/// The methods the fake serves, with their parameters.
#[rustfmt::skip]
pub const METHODS: &[(&str, &[Field])] = &[
    ("getMe", &[]),
    ("getUpdates", &[
        ("offset", Int, false), ("limit", Int, false), ("timeout", Int, false),
        ("allowed_updates", Arr(&Str), false),
    ]),
    // teloxide's polling asks for it before deleting a webhook.
    ("getWebhookInfo", &[]),
    ("deleteWebhook", &[("drop_pending_updates", Bool, false)]),
    ("setMyCommands", &[
        ("commands", Arr(&Obj("BotCommand")), true),
        ("scope", Obj("BotCommandScope"), false),
        ("language_code", Str, false),
    ]),
    ("deleteMyCommands", &[("scope", Obj("BotCommandScope"), false), ("language_code", Str, false)]),
    ("sendMessage", &[
        ("business_connection_id", Str, false),
        ("chat_id", IntOrStr, true),
        ("message_thread_id", Int, false),
        ("direct_messages_topic_id", Int, false),
        ("text", Str, true),
        ("parse_mode", Str, false),
        ("entities", ENTITIES, false),
        ("link_preview_options", Obj("LinkPreviewOptions"), false),
        ("disable_notification", Bool, false),
        ("protect_content", Bool, false),
        ("allow_paid_broadcast", Bool, false),
        ("message_effect_id", Str, false),
        ("suggested_post_parameters", AnyObj, false),
        ("reply_parameters", Obj("ReplyParameters"), false),
        ("reply_markup", Obj("ReplyMarkup"), false),
    ]),
    ("editMessageText", &[
        ("business_connection_id", Str, false),
        ("chat_id", IntOrStr, false),
        ("message_id", Int, false),
        ("inline_message_id", Str, false),
        // Required unless `rich_message` is given (checked by the rules).
        ("text", Str, false),
        ("parse_mode", Str, false),
        ("entities", ENTITIES, false),
        ("link_preview_options", Obj("LinkPreviewOptions"), false),
        ("rich_message", AnyObj, false),
        ("reply_markup", Obj("InlineKeyboardMarkup"), false),
    ]),
    ("editMessageReplyMarkup", &[
        ("business_connection_id", Str, false),
        ("chat_id", IntOrStr, false),
        ("message_id", Int, false),
        ("inline_message_id", Str, false),
        ("reply_markup", Obj("InlineKeyboardMarkup"), false),
    ]),
    ("answerCallbackQuery", &[
        ("callback_query_id", Str, true), ("text", Str, false), ("show_alert", Bool, false),
        ("url", Str, false), ("cache_time", Int, false),
    ]),
    ("answerInlineQuery", &[
        ("inline_query_id", Str, true),
        ("results", Arr(&Obj("InlineQueryResult")), true),
        ("cache_time", Int, false),
        ("is_personal", Bool, false),
        ("next_offset", Str, false),
        ("button", Obj("InlineQueryResultsButton"), false),
    ]),
    ("getChatMember", &[("chat_id", IntOrStr, true), ("user_id", Int, true)]),
    ("getFile", &[("file_id", Str, true)]),
    // `document`: a file_id, an HTTP URL, or `attach://NAME` naming a part
    // of the multipart/form-data upload (the fake resolves it).
    ("sendDocument", &[
        ("business_connection_id", Str, false),
        ("chat_id", IntOrStr, true),
        ("message_thread_id", Int, false),
        ("direct_messages_topic_id", Int, false),
        ("document", Str, true),
        ("thumbnail", Str, false),
        ("caption", Str, false),
        ("parse_mode", Str, false),
        ("caption_entities", ENTITIES, false),
        ("disable_content_type_detection", Bool, false),
        ("disable_notification", Bool, false),
        ("protect_content", Bool, false),
        ("allow_paid_broadcast", Bool, false),
        ("message_effect_id", Str, false),
        ("suggested_post_parameters", AnyObj, false),
        ("reply_parameters", Obj("ReplyParameters"), false),
        ("reply_markup", Obj("ReplyMarkup"), false),
    ]),
    ("sendChatAction", &[
        ("business_connection_id", Str, false), ("chat_id", IntOrStr, true),
        ("message_thread_id", Int, false), ("action", Str, true),
    ]),
];

/// The objects the parameters carry (unions are resolved by the checker).
#[rustfmt::skip]
pub const OBJECTS: &[(&str, &[Field])] = &[
    ("BotCommand", &[("command", Str, true), ("description", Str, true)]),
    ("MessageEntity", &[
        ("type", Str, true), ("offset", Int, true), ("length", Int, true), ("url", Str, false),
        ("user", AnyObj, false), ("language", Str, false), ("custom_emoji_id", Str, false),
        ("unix_time", Int, false), ("date_time_format", Str, false),
    ]),
    ("LinkPreviewOptions", &[
        ("is_disabled", Bool, false), ("url", Str, false), ("prefer_small_media", Bool, false),
        ("prefer_large_media", Bool, false), ("show_above_text", Bool, false),
    ]),
    ("ReplyParameters", &[
        ("message_id", Int, true), ("chat_id", IntOrStr, false),
        ("allow_sending_without_reply", Bool, false), ("quote", Str, false),
        ("quote_parse_mode", Str, false), ("quote_entities", ENTITIES, false),
        ("quote_position", Int, false), ("checklist_task_id", Int, false),
        ("poll_option_id", Str, false),
    ]),
    ("InlineKeyboardMarkup", &[("inline_keyboard", Arr(&Arr(&Obj("InlineKeyboardButton"))), true)]),
    ("InlineKeyboardButton", &[
        ("text", Str, true), ("icon_custom_emoji_id", Str, false), ("style", Str, false),
        ("url", Str, false), ("callback_data", Str, false), ("web_app", AnyObj, false),
        ("login_url", AnyObj, false), ("switch_inline_query", Str, false),
        ("switch_inline_query_current_chat", Str, false),
        ("switch_inline_query_chosen_chat", AnyObj, false), ("copy_text", AnyObj, false),
        ("callback_game", AnyObj, false), ("pay", Bool, false),
    ]),
    ("ReplyKeyboardMarkup", &[
        ("keyboard", Arr(&Arr(&Obj("KeyboardButton"))), true), ("is_persistent", Bool, false),
        ("resize_keyboard", Bool, false), ("one_time_keyboard", Bool, false),
        ("input_field_placeholder", Str, false), ("selective", Bool, false),
    ]),
    ("KeyboardButton", &[
        ("text", Str, true), ("icon_custom_emoji_id", Str, false), ("style", Str, false),
        ("request_users", AnyObj, false), ("request_chat", AnyObj, false),
        ("request_managed_bot", AnyObj, false), ("request_contact", Bool, false),
        ("request_location", Bool, false), ("request_poll", AnyObj, false),
        ("web_app", AnyObj, false),
    ]),
    ("ReplyKeyboardRemove", &[("remove_keyboard", Bool, true), ("selective", Bool, false)]),
    ("ForceReply", &[
        ("force_reply", Bool, true), ("input_field_placeholder", Str, false),
        ("selective", Bool, false),
    ]),
    ("InlineQueryResultArticle", &[
        ("type", Str, true), ("id", Str, true), ("title", Str, true),
        ("input_message_content", Obj("InputMessageContent"), true),
        ("reply_markup", Obj("InlineKeyboardMarkup"), false), ("url", Str, false),
        ("description", Str, false), ("thumbnail_url", Str, false),
        ("thumbnail_width", Int, false), ("thumbnail_height", Int, false),
    ]),
    ("InputTextMessageContent", &[
        ("message_text", Str, true), ("parse_mode", Str, false), ("entities", ENTITIES, false),
        ("link_preview_options", Obj("LinkPreviewOptions"), false),
    ]),
    ("InlineQueryResultsButton", &[
        ("text", Str, true), ("web_app", AnyObj, false), ("start_parameter", Str, false),
    ]),
];

/// `BotCommandScope` variants by `type`, with their fields besides `type`.
#[rustfmt::skip]
pub const SCOPES: &[(&str, &[Field])] = &[
    ("default", &[]),
    ("all_private_chats", &[]),
    ("all_group_chats", &[]),
    ("all_chat_administrators", &[]),
    ("chat", &[("chat_id", IntOrStr, true)]),
    ("chat_administrators", &[("chat_id", IntOrStr, true)]),
    ("chat_member", &[("chat_id", IntOrStr, true), ("user_id", Int, true)]),
];

/// The other `InlineQueryResult` types (only `type` and `id` are checked for them).
#[rustfmt::skip]
pub const OTHER_RESULT_TYPES: &[&str] = &[
    "audio", "contact", "game", "document", "gif", "location", "mpeg4_gif", "photo", "venue",
    "video", "voice", "sticker",
];

/// Fields of `InlineKeyboardButton` of which exactly one must be present.
#[rustfmt::skip]
pub const BUTTON_ACTIONS: &[&str] = &[
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
];

/// Values of `sendChatAction`'s `action`.
#[rustfmt::skip]
pub const CHAT_ACTIONS: &[&str] = &[
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
];

/// Update types accepted in `allowed_updates`.
#[rustfmt::skip]
pub const UPDATE_TYPES: &[&str] = &[
    "message", "edited_message", "channel_post", "edited_channel_post", "business_connection",
    "business_message", "edited_business_message", "deleted_business_messages",
    "message_reaction", "message_reaction_count", "inline_query", "chosen_inline_result",
    "callback_query", "shipping_query", "pre_checkout_query", "purchased_paid_media", "poll",
    "poll_answer", "my_chat_member", "chat_member", "chat_join_request", "chat_boost",
    "removed_chat_boost",
];

/// `MessageEntity` types.
#[rustfmt::skip]
pub const ENTITY_TYPES: &[&str] = &[
    "mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number", "bold",
    "italic", "underline", "strikethrough", "spoiler", "blockquote", "expandable_blockquote",
    "code", "pre", "text_link", "text_mention", "custom_emoji", "date_time",
];

/// The longest message text, in UTF-16 code units after entity parsing.
pub const MAX_TEXT_LEN: usize = 4096;

/// The longest media caption, in UTF-16 code units after entity parsing.
pub const MAX_CAPTION_LEN: usize = 1024;

/// The largest file a bot may download with getFile (20 MB).
pub const MAX_DOWNLOAD_BYTES: usize = 20 * 1024 * 1024;

/// The largest file a bot may upload with sendDocument (50 MB).
pub const MAX_UPLOAD_BYTES: usize = 50 * 1024 * 1024;
