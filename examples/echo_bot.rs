//! The cheapest teloxide bot: it echoes every text message. It is the
//! baseline of `loadgen --echo` (see BENCHMARKS.md): what teloxide, hyper
//! and the kernel cost per update on this machine before balabot does any
//! work of its own. Same runtime flavour as balabot (one thread).
//!
//! ```sh
//! cargo run --release --example loadgen -- --echo --updates 2500 --chats 200 --rate 500
//! ```

use teloxide::prelude::*;

fn main() {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("echo_bot: cannot start a runtime: {e}");
            std::process::exit(1);
        }
    };
    // TELOXIDE_TOKEN and TELOXIDE_API_URL, as the loadgen sets them.
    runtime.block_on(teloxide::repl(
        Bot::from_env(),
        |bot: Bot, msg: Message| async move {
            if let Some(text) = msg.text() {
                bot.send_message(msg.chat.id, text).await?;
            }
            Ok(())
        },
    ));
}
