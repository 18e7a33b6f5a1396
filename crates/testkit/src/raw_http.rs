//! A tiny HTTP/1.1 client over a raw `TcpStream`, to talk to the fake
//! without the bot (one request per connection, `Connection: close`).

use std::io;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Status and body of an answer.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    pub body: String,
}

impl HttpResponse {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("answer is not JSON ({e}): {}", self.body))
    }
}

/// `POST url` with a JSON body.
pub async fn post_json(url: &str, body: &Value) -> io::Result<HttpResponse> {
    request(
        "POST",
        url,
        Some(("application/json", body.to_string().as_bytes())),
    )
    .await
}

/// Any request; `body` is (content type, bytes). A connection closed
/// without an answer is an `UnexpectedEof` error.
pub async fn request(
    method: &str,
    url: &str,
    body: Option<(&str, &[u8])>,
) -> io::Result<HttpResponse> {
    let invalid =
        |what: &str| io::Error::new(io::ErrorKind::InvalidInput, format!("{what}: {url}"));
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| invalid("not an http:// URL"))?;
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let mut stream = TcpStream::connect(host).await?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    if let Some((content_type, bytes)) = body {
        head.push_str(&format!(
            "Content-Type: {content_type}\r\nContent-Length: {}\r\n",
            bytes.len()
        ));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    if let Some((_, bytes)) = body {
        stream.write_all(bytes).await?;
    }
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> io::Result<HttpResponse> {
    if raw.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "connection closed without a response",
        ));
    }
    let text = String::from_utf8_lossy(raw);
    let bad = || {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("not an HTTP response: {text}"),
        )
    };
    let (head, body) = text.split_once("\r\n\r\n").ok_or_else(bad)?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(bad)?;
    let length = head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse::<usize>().ok())?
    });
    let body = match length {
        Some(n) => body.get(..n).unwrap_or(body),
        None => body,
    };
    Ok(HttpResponse {
        status,
        body: body.to_owned(),
    })
}
