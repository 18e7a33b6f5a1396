//! The real `balabot run` process against a fake server: started on a copy
//! of a knowledge directory in a scratch directory (which also holds its
//! state file and log), killed when dropped.

use crate::FakeTelegram;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The admin user id the bots of the tests trust.
pub const ADMIN: i64 = 42;

pub struct BotProcess {
    pub child: Child,
    /// The `balabot` binary (tests pass `env!("CARGO_BIN_EXE_balabot")`).
    bin: PathBuf,
    /// Scratch directory: `knowledge/`, `balabot.db`, `bot.log`.
    pub dir: PathBuf,
    env: Vec<(String, String)>,
    _temp: Option<tempfile::TempDir>,
}

impl Drop for BotProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Copies a knowledge directory into `dir/knowledge`.
pub fn copy_knowledge(from: &Path, dir: &Path) {
    let kb = dir.join("knowledge");
    std::fs::create_dir_all(&kb).expect("knowledge dir");
    for f in std::fs::read_dir(from).expect("knowledge source") {
        let f = f.expect("knowledge file").path();
        std::fs::copy(&f, kb.join(f.file_name().expect("file name"))).expect("copy knowledge");
    }
}

impl BotProcess {
    /// Starts a bot on a fresh scratch directory with a copy of `knowledge`.
    pub async fn start(
        bin: &str,
        tg: &FakeTelegram,
        knowledge: &Path,
        env: &[(&str, &str)],
    ) -> BotProcess {
        let temp = tempfile::tempdir().expect("temp dir");
        copy_knowledge(knowledge, temp.path());
        let mut bot = Self::start_in(bin, tg, temp.path(), env).await;
        bot._temp = Some(temp);
        bot
    }

    /// Starts a bot in an existing scratch directory (its knowledge and
    /// state file are kept: a restart).
    pub async fn start_in(
        bin: &str,
        tg: &FakeTelegram,
        dir: &Path,
        env: &[(&str, &str)],
    ) -> BotProcess {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let bin = PathBuf::from(bin);
        let child = spawn(&bin, tg, dir, &env);
        tg.wait_until_polling(Duration::from_secs(20)).await;
        BotProcess {
            child,
            bin,
            dir: dir.to_path_buf(),
            env,
            _temp: None,
        }
    }

    pub fn knowledge(&self) -> PathBuf {
        self.dir.join("knowledge")
    }

    pub fn db(&self) -> PathBuf {
        self.dir.join("balabot.db")
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("bot.log")).unwrap_or_default()
    }

    /// SIGKILL: no chance to clean up.
    pub fn kill_hard(&mut self) {
        self.child.kill().expect("kill -9");
        self.child.wait().expect("reaped");
    }

    /// Starts the same bot again after `kill_hard` (same directory, env).
    pub fn restart(&mut self, tg: &FakeTelegram) {
        self.child = spawn(&self.bin, tg, &self.dir, &self.env);
    }

    /// Waits for the process to exit by itself.
    pub async fn wait_exit(&mut self, timeout: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(s) = self.child.try_wait().expect("wait") {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "the bot did not exit within {timeout:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn spawn(bin: &Path, tg: &FakeTelegram, dir: &Path, env: &[(String, String)]) -> Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("bot.log"))
        .expect("log file");
    Command::new(bin)
        .arg("run")
        .envs(tg.env())
        .env("BALABOT_KNOWLEDGE", dir.join("knowledge"))
        .env("BALABOT_DB", dir.join("balabot.db"))
        .env("BALABOT_ADMINS", ADMIN.to_string())
        .env("RUST_LOG", "debug")
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("balabot starts")
}
