//! Telegram's HTML formatting (`parse_mode: "HTML"`), checked strictly.
//!
//! [`parse`] turns Bot API HTML into the plain text and the entities Telegram
//! would derive from it, or explains why Telegram would refuse it. The rules
//! are those of the Bot API's "HTML style" section, applied to the letter:
//! only the documented tags, properly nested and closed, quoted attribute
//! values, every `&`, `<` and `>` of the text escaped, and only the named
//! entities `&lt;` `&gt;` `&amp;` `&quot;` besides numeric ones. (The real
//! server forgives a stray `&` or `>`; a bot should not rely on that.)
//!
//! Offsets and lengths are in UTF-16 code units, as everywhere in the API.

use serde_json::{Value, json};

/// The text and the entities Telegram derives from an HTML string.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The text without tags, entities decoded.
    pub text: String,
    /// `MessageEntity` objects, sorted by offset.
    pub entities: Vec<Value>,
}

/// Length of `s` in UTF-16 code units, the unit of every Telegram limit and offset.
pub fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// A start tag still waiting for its end tag.
struct Open {
    name: String,
    entity: Option<Value>,
    offset: usize,
}

/// Parses `html` as Telegram does; the error is the detail that follows
/// "Bad Request: can't parse entities: " in Telegram's answer.
pub fn parse(html: &str) -> Result<Parsed, String> {
    let mut text = String::new();
    let mut utf16 = 0usize;
    let mut stack: Vec<Open> = Vec::new();
    let mut entities: Vec<Value> = Vec::new();
    let mut pos = 0usize;
    while let Some(c) = html[pos..].chars().next() {
        match c {
            '<' => {
                let tag = scan_tag(html, pos)?;
                if tag.closing {
                    let Some(open) = stack.pop() else {
                        return Err(format!("Unexpected end tag at byte offset {pos}"));
                    };
                    if open.name != tag.name {
                        return Err(format!(
                            "Unmatched end tag at byte offset {pos}, expected \"</{}>\", found \"</{}>\"",
                            open.name, tag.name
                        ));
                    }
                    if let Some(mut entity) = open.entity {
                        let length = utf16 - open.offset;
                        if length > 0 {
                            entity["offset"] = json!(open.offset);
                            entity["length"] = json!(length);
                            entities.push(entity);
                        }
                    }
                } else {
                    check_nesting(&stack, &tag.name, pos)?;
                    let entity = entity_for(&tag, &stack, pos)?;
                    let language = tag.attr("class").and_then(|c| c.strip_prefix("language-"));
                    if let (Some(top), Some(language)) = (stack.last_mut(), language)
                        && top.name == "pre"
                        && let Some(pre) = top.entity.as_mut()
                    {
                        pre["language"] = json!(language);
                    }
                    stack.push(Open {
                        name: tag.name,
                        entity,
                        offset: utf16,
                    });
                }
                pos = tag.end;
            }
            '>' => return Err(format!("Unescaped \">\" at byte offset {pos}: write &gt;")),
            '&' => {
                let (decoded, next) = decode_entity(html, pos)?;
                utf16 += decoded.len_utf16();
                text.push(decoded);
                pos = next;
            }
            _ => {
                utf16 += c.len_utf16();
                text.push(c);
                pos += c.len_utf8();
            }
        }
    }
    if let Some(open) = stack.last() {
        return Err(format!(
            "Can't find end tag corresponding to start tag \"{}\"",
            open.name
        ));
    }
    entities.sort_by_key(|e| {
        let offset = e["offset"].as_u64().unwrap_or(0);
        let length = e["length"].as_u64().unwrap_or(0);
        (offset, u64::MAX - length)
    });
    Ok(Parsed { text, entities })
}

/// One scanned tag: `<name attr="v">` or `</name>`.
struct Tag {
    name: String,
    closing: bool,
    attrs: Vec<(String, String)>,
    /// Byte offset just after the closing `>`.
    end: usize,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Scans the tag that starts with `<` at byte `start`.
fn scan_tag(html: &str, start: usize) -> Result<Tag, String> {
    let bytes = html.as_bytes();
    let unclosed = || format!("Unclosed start tag at byte offset {start}");
    let mut pos = start + 1;
    let closing = bytes.get(pos) == Some(&b'/');
    if closing {
        pos += 1;
    }
    let name_start = pos;
    while pos < bytes.len() && (bytes[pos].is_ascii_alphanumeric() || bytes[pos] == b'-') {
        pos += 1;
    }
    let name = html[name_start..pos].to_ascii_lowercase();
    if name.is_empty() {
        return Err(format!(
            "Unescaped \"<\" or empty tag name at byte offset {start}: write &lt;"
        ));
    }
    let mut attrs = Vec::new();
    loop {
        while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        match bytes.get(pos) {
            None => return Err(unclosed()),
            Some(b'>') => break,
            Some(_) if closing => {
                return Err(format!(
                    "Unexpected characters in end tag at byte offset {pos}"
                ));
            }
            Some(_) => {}
        }
        let attr_start = pos;
        while pos < bytes.len()
            && (bytes[pos].is_ascii_alphanumeric() || b"-_".contains(&bytes[pos]))
        {
            pos += 1;
        }
        if pos == attr_start {
            return Err(format!("Invalid attribute name at byte offset {pos}"));
        }
        let attr = html[attr_start..pos].to_ascii_lowercase();
        while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        if bytes.get(pos) != Some(&b'=') {
            attrs.push((attr, String::new()));
            continue;
        }
        pos += 1;
        while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        let quote = match bytes.get(pos) {
            Some(q @ (b'"' | b'\'')) => *q,
            None => return Err(unclosed()),
            Some(_) => {
                return Err(format!(
                    "Unquoted value of attribute \"{attr}\" at byte offset {pos}"
                ));
            }
        };
        let value_start = pos + 1;
        let Some(len) = html[value_start..].find(quote as char) else {
            return Err(unclosed());
        };
        let value = decode_all(&html[value_start..value_start + len], value_start)?;
        attrs.push((attr, value));
        pos = value_start + len + 1;
    }
    Ok(Tag {
        name,
        closing,
        attrs,
        end: pos + 1,
    })
}

/// Tags that may not contain other tags (except `<code>` right inside `<pre>`).
fn check_nesting(stack: &[Open], name: &str, pos: usize) -> Result<(), String> {
    if let Some(top) = stack.last() {
        let code_in_pre = top.name == "pre" && name == "code";
        if (top.name == "pre" || top.name == "code") && !code_in_pre {
            return Err(format!(
                "Tag \"{name}\" at byte offset {pos} is inside \"{}\", which can't contain other entities",
                top.name
            ));
        }
    }
    let nested = |tags: &[&str]| {
        tags.contains(&name) && stack.iter().any(|o| tags.contains(&o.name.as_str()))
    };
    if nested(&["a"]) || nested(&["blockquote"]) || nested(&["pre"]) {
        return Err(format!(
            "Tag \"{name}\" at byte offset {pos} can't be nested in itself"
        ));
    }
    Ok(())
}

/// The entity a start tag opens, or the reason the tag is not allowed.
fn entity_for(tag: &Tag, stack: &[Open], pos: usize) -> Result<Option<Value>, String> {
    let simple = |kind: &str| Ok(Some(json!({ "type": kind })));
    match tag.name.as_str() {
        "b" | "strong" => simple("bold"),
        "i" | "em" => simple("italic"),
        "u" | "ins" => simple("underline"),
        "s" | "strike" | "del" => simple("strikethrough"),
        "tg-spoiler" => simple("spoiler"),
        "span" => match tag.attr("class") {
            Some("tg-spoiler") => simple("spoiler"),
            _ => Err(format!(
                "Tag \"span\" must have class \"tg-spoiler\" at byte offset {pos}"
            )),
        },
        "a" => {
            let href = tag
                .attr("href")
                .ok_or_else(|| format!("Tag \"a\" without href at byte offset {pos}"))?;
            if let Some(id) = href.strip_prefix("tg://user?id=") {
                let id: i64 = id
                    .parse()
                    .map_err(|_| format!("Wrong user identifier in href at byte offset {pos}"))?;
                return Ok(Some(json!({
                    "type": "text_mention",
                    "user": { "id": id, "is_bot": false, "first_name": "User" }
                })));
            }
            let scheme_ok = ["http://", "https://", "tg://", "mailto:"]
                .iter()
                .any(|s| href.starts_with(s));
            if !scheme_ok {
                return Err(format!(
                    "Unsupported URL \"{href}\" in href at byte offset {pos}"
                ));
            }
            Ok(Some(json!({ "type": "text_link", "url": href })))
        }
        // `<pre><code class="language-x">` is one `pre` entity (see `parse`).
        "code" if stack.last().is_some_and(|o| o.name == "pre") => Ok(None),
        "code" => simple("code"),
        "pre" => simple("pre"),
        "blockquote" => match tag.attr("expandable") {
            Some(_) => simple("expandable_blockquote"),
            None => simple("blockquote"),
        },
        "tg-emoji" => {
            let id = tag
                .attr("emoji-id")
                .ok_or_else(|| format!("Tag \"tg-emoji\" without emoji-id at byte offset {pos}"))?;
            Ok(Some(
                json!({ "type": "custom_emoji", "custom_emoji_id": id }),
            ))
        }
        "tg-time" => {
            let unix: i64 = tag
                .attr("unix")
                .and_then(|u| u.parse().ok())
                .ok_or_else(|| {
                    format!("Tag \"tg-time\" without valid unix at byte offset {pos}")
                })?;
            Ok(Some(json!({ "type": "date_time", "unix_time": unix })))
        }
        other => Err(format!(
            "Unsupported start tag \"{other}\" at byte offset {pos}"
        )),
    }
}

/// Decodes the `&...;` entity at byte `start`; returns the character and the next offset.
fn decode_entity(html: &str, start: usize) -> Result<(char, usize), String> {
    let rest = &html[start + 1..];
    let unescaped = || format!("Unescaped \"&\" at byte offset {start}: write &amp;");
    let Some(semi) = rest.find(';').filter(|&s| s <= 10) else {
        return Err(unescaped());
    };
    let name = &rest[..semi];
    let decoded = match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "quot" => Some('"'),
        _ => {
            let number = if let Some(hex) = name.strip_prefix("#x").or(name.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok()
            } else if let Some(dec) = name.strip_prefix('#') {
                dec.parse().ok()
            } else {
                return Err(format!(
                    "Unsupported HTML entity \"&{name};\" at byte offset {start}: only &lt; &gt; &amp; &quot; and numeric entities are allowed"
                ));
            };
            number.and_then(char::from_u32)
        }
    };
    match decoded {
        Some(c) => Ok((c, start + 1 + semi + 1)),
        None => Err(unescaped()),
    }
}

/// Decodes every entity of an attribute value that starts at byte `base` of the message.
fn decode_all(value: &str, base: usize) -> Result<String, String> {
    let mut out = String::new();
    let mut pos = 0;
    while let Some(c) = value[pos..].chars().next() {
        if c == '&' {
            let (decoded, next) =
                decode_entity(value, pos).map_err(|e| format!("{e} (attribute at {base})"))?;
            out.push(decoded);
            pos = next;
        } else {
            out.push(c);
            pos += c.len_utf8();
        }
    }
    Ok(out)
}
