//! The HTTP side: `POST /bot{TOKEN}/{method}` on 127.0.0.1 (JSON, query
//! string, or multipart/form-data with file parts), `GET
//! /file/bot{TOKEN}/{path}` for downloads, the checks and faults every
//! call goes through, and connections that can be cut.
//!
//! A call is recorded, then: scripted fault of the method, if any; Bot API
//! checks (violations recorded, 400 where Telegram would refuse); lasting
//! faults of its chat, or the bot's removal from it; the optional flood
//! limits; and finally the method.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::connect_info::Connected;
use axum::extract::{ConnectInfo, FromRequest, Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::serve::{IncomingStream, Listener};
use serde_json::{Map, Value, json};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

use crate::api_check;
use crate::faults::{ChatFault, ErrorAnswer, Fault};
use crate::methods;
use crate::state::{Shared, Uploads};

/// The router of the fake Bot API.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/file/{bot}/{*path}", get(download))
        .route("/{bot}/{method}", any(handle))
        .fallback(|| async { error(&ErrorAnswer::new(404, "Not Found")) })
        .with_state(shared)
}

/// Serves `router` on `listener` until `stop` resolves.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    stop: impl Future<Output = ()> + Send + 'static,
) {
    let service = router.into_make_service_with_connect_info::<Connection>();
    if let Err(e) = axum::serve(CuttableListener(listener), service)
        .with_graceful_shutdown(stop)
        .await
    {
        eprintln!("fake Telegram: server error: {e}");
    }
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(connection): ConnectInfo<Connection>,
    Path((bot, method)): Path<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let canonical = api_check::canonical_method(&method);
    let name = canonical.unwrap_or(&method).to_owned();
    let (params, uploads) = match parse_params(&uri, &headers, &body).await {
        Ok((params, uploads)) => (Ok(params), uploads),
        Err(e) => (Err(e), Uploads::new()),
    };
    let (index, token_ok) = {
        let mut st = shared.lock();
        let params_value = params
            .clone()
            .unwrap_or_else(|e| json!({ "unparsable_body": e }));
        let index = st.record_call(&name, &params_value);
        (
            index,
            bot.strip_prefix("bot") == Some(st.bot.token.as_str()),
        )
    };
    shared.ring_calls_changed();
    let outcome = if !token_ok {
        Err(ErrorAnswer::new(401, "Unauthorized"))
    } else {
        match params {
            Ok(params) => process(&shared, &connection, canonical, &name, &params, &uploads).await,
            Err(e) => {
                shared.lock().violation(&name, e.clone(), &json!({}));
                Err(ErrorAnswer::bad_request(&e))
            }
        }
    };
    let (status, body) = match outcome {
        Ok(result) => (200, json!({ "ok": true, "result": result })),
        Err(e) => (e.code, e.body()),
    };
    if connection.is_cut() {
        shared.lock().drop_call(index);
    } else {
        shared.lock().finish_call(index, status, &body);
    }
    shared.ring_calls_changed();
    reply(status, &body)
}

/// Faults, checks, limits, then the method itself.
async fn process(
    shared: &Shared,
    connection: &Connection,
    canonical: Option<&'static str>,
    name: &str,
    params: &Value,
    uploads: &Uploads,
) -> Result<Value, ErrorAnswer> {
    let fault = shared
        .lock()
        .faults
        .get_mut(&name.to_ascii_lowercase())
        .and_then(|queue| queue.pop_front());
    match fault {
        Some(Fault::DropConnection) => {
            connection.cut();
            return Err(ErrorAnswer::new(500, "connection dropped"));
        }
        Some(Fault::Delay(delay)) => tokio::time::sleep(delay).await,
        Some(fault) => {
            if let Some(answer) = fault.answer() {
                return Err(answer);
            }
        }
        None => {}
    }
    let Some(method) = canonical else {
        shared.lock().violation(
            name,
            "method not supported by the fake Bot API".into(),
            params,
        );
        return Err(ErrorAnswer::new(404, "Not Found: method not found"));
    };
    {
        let mut st = shared.lock();
        let mut refusal = None;
        for problem in api_check::check_call(method, params) {
            st.violation(method, problem.message, params);
            refusal = refusal.or(problem.reply);
        }
        if let Some(description) = refusal {
            return Err(ErrorAnswer::new(400, &description));
        }
        if let Some(chat) = params.get("chat_id").and_then(Value::as_i64) {
            let fault = st.chat_faults.get(&chat).and_then(|f| f.answer(method));
            if fault.is_some()
                && matches!(
                    st.chat_faults.get(&chat),
                    Some(ChatFault::TooManyRequestsOnce(_))
                )
            {
                st.chat_faults.remove(&chat);
            }
            if let Some(answer) = fault.or_else(|| methods::membership_refusal(&st, method, chat)) {
                return Err(answer);
            }
        }
        if method == "sendMessage"
            && let Some(chat) = params.get("chat_id").and_then(Value::as_i64)
            && let Err((breach, retry_after)) = st.rate.admit(chat, Instant::now())
        {
            st.violation(method, format!("flood limit: {breach}"), params);
            return Err(ErrorAnswer::too_many_requests(retry_after));
        }
    }
    methods::answer(shared, method, params, uploads).await
}

/// The parameters: a JSON body, the query string, or the text fields of a
/// multipart/form-data body (values parsed as JSON where they are JSON, as
/// Telegram does for form fields), and the file parts of the latter.
async fn parse_params(
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<(Value, Uploads), String> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let form_value = |value: String| serde_json::from_str(&value).unwrap_or(Value::String(value));
    let mut params = Map::new();
    if let Ok(Query(query)) = Query::<Vec<(String, String)>>::try_from_uri(uri) {
        for (key, value) in query {
            params.insert(key, form_value(value));
        }
    }
    let mut uploads = Uploads::new();
    if content_type.starts_with("multipart/form-data") {
        let request = axum::http::Request::builder()
            .header(header::CONTENT_TYPE, content_type)
            .body(axum::body::Body::from(body.clone()))
            .map_err(|e| e.to_string())?;
        let mut form = Multipart::from_request(request, &())
            .await
            .map_err(|e| format!("bad multipart/form-data: {e}"))?;
        while let Some(field) = form
            .next_field()
            .await
            .map_err(|e| format!("bad multipart/form-data: {e}"))?
        {
            let name = field.name().unwrap_or_default().to_owned();
            let file_name = field.file_name().map(str::to_owned);
            let is_file = file_name.is_some()
                || field
                    .content_type()
                    .is_some_and(|t| !t.starts_with("text/plain"));
            let bytes = field
                .bytes()
                .await
                .map_err(|e| format!("bad multipart/form-data part {name:?}: {e}"))?;
            if is_file {
                uploads.insert(name, (file_name, bytes.to_vec()));
            } else {
                let text = String::from_utf8(bytes.to_vec())
                    .map_err(|_| format!("multipart field {name:?} is not UTF-8"))?;
                params.insert(name, form_value(text));
            }
        }
        return Ok((Value::Object(params), uploads));
    }
    if !body.iter().all(u8::is_ascii_whitespace) {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => params.extend(map),
            Ok(other) => return Err(format!("the JSON body is not an object: {other}")),
            Err(e) => return Err(format!("the body is not JSON ({e})")),
        }
    }
    Ok((Value::Object(params), uploads))
}

/// `GET /file/bot{TOKEN}/{path}`: the bytes of a file getFile described.
async fn download(
    State(shared): State<Arc<Shared>>,
    Path((bot, path)): Path<(String, String)>,
) -> Response {
    let mut st = shared.lock();
    if bot.strip_prefix("bot") != Some(st.bot.token.as_str()) {
        return error(&ErrorAnswer::new(401, "Unauthorized"));
    }
    st.downloads.push(path.clone());
    match st.files.values().find(|f| f.path == path) {
        Some(file) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/octet-stream")],
            file.bytes.clone(),
        )
            .into_response(),
        None => error(&ErrorAnswer::new(404, "Not Found")),
    }
}

fn reply(status: u16, body: &Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = [(header::CONTENT_TYPE, "application/json")];
    (status, headers, body.to_string()).into_response()
}

fn error(answer: &ErrorAnswer) -> Response {
    reply(answer.code, &answer.body())
}

/// A handle on the connection a request came in on, to cut it.
#[derive(Clone)]
pub(crate) struct Connection(Arc<AtomicBool>);

impl Connection {
    /// Closes the connection before anything of the answer is written.
    fn cut(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    fn is_cut(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

impl Connected<IncomingStream<'_, CuttableListener>> for Connection {
    fn connect_info(stream: IncomingStream<'_, CuttableListener>) -> Self {
        Connection(stream.io().cut.clone())
    }
}

/// A TCP listener whose connections can be cut from a handler.
pub(crate) struct CuttableListener(TcpListener);

impl Listener for CuttableListener {
    type Io = CuttableStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.0.accept().await {
                Ok((stream, addr)) => {
                    let _ = stream.set_nodelay(true);
                    let cut = Arc::new(AtomicBool::new(false));
                    return (CuttableStream { inner: stream, cut }, addr);
                }
                Err(e) => {
                    eprintln!("fake Telegram: accept failed: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

/// A TCP stream that fails every write once cut, so the server closes it
/// without sending a byte of the answer.
pub(crate) struct CuttableStream {
    inner: TcpStream,
    cut: Arc<AtomicBool>,
}

impl CuttableStream {
    fn check(&self) -> io::Result<()> {
        if self.cut.load(Ordering::SeqCst) {
            Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "cut by a scripted fault",
            ))
        } else {
            Ok(())
        }
    }
}

impl AsyncRead for CuttableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for CuttableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
