//! Every text the bot says to its admins, in English, Russian and
//! Kazakh: reloads and the start-up self-test, /stats, /unanswered, the
//! broadcast (confirmation, progress, summary), publishing from Telegram
//! (refusals of an upload, the problems of a rejected candidate, the
//! outcome of a publish, the version history, export), and the lines
//! /about adds about sources and versions. Plain text: the caller escapes
//! it for HTML like any other text.
//!
//! The texts every user sees are in `crate::messages` (the core); the
//! ones here are the bot's own. Problems found in knowledge files
//! (file:line:column, message, hint) come from the loader as they are.

use super::admin::{BroadcastProgress, BroadcastSummary};
use crate::knowledge::Diagnostic;
use crate::lang::Lang;
use crate::publish::stage::StageError;
use crate::publish::upload::Refusal;
use crate::publish::versions::{Source, VersionInfo};
use crate::publish::write::WriteError;
use crate::publish::{PublishError, UploadError};
use crate::store::Stats;
use chrono::TimeZone;
use chrono_tz::Tz;
use std::time::Duration;

fn pick(lang: Lang, en: &str, ru: &str, kk: &str) -> String {
    match lang {
        Lang::En => en,
        Lang::Ru => ru,
        Lang::Kk => kk,
    }
    .to_string()
}

/// "Nothing changed." in the language.
pub fn nothing_changed(lang: Lang) -> String {
    pick(
        lang,
        "Nothing was changed.",
        "Ничего не изменено.",
        "Ештеңе өзгертілмеді.",
    )
}

fn megabytes(bytes: u64) -> String {
    format!("{}", bytes / 1_000_000)
}

/// The sentence for a refused upload, then "nothing changed".
pub fn refusal(r: &Refusal, lang: Lang) -> String {
    let sentence = match r {
        Refusal::WrongType { name } => pick(
            lang,
            &format!(
                "{name}: I accept only a topic file (.yaml or .yml) or a .zip of the whole knowledge folder."
            ),
            &format!(
                "{name}: я принимаю только файл темы (.yaml или .yml) или .zip со всей папкой базы знаний."
            ),
            &format!(
                "{name}: тек тақырып файлын (.yaml немесе .yml) не бүкіл білім базасы қалтасының .zip архивін қабылдаймын."
            ),
        ),
        Refusal::BadName { name } => pick(
            lang,
            &format!("{name}: this file name cannot be used; name the file like statistics.yaml."),
            &format!(
                "{name}: такое имя файла не подходит; назовите файл, например, statistics.yaml."
            ),
            &format!("{name}: бұл файл атауы жарамсыз; файлды statistics.yaml сияқты атаңыз."),
        ),
        Refusal::TooLarge { name, limit } => pick(
            lang,
            &format!("{name} is larger than {} MB.", megabytes(*limit)),
            &format!("{name} больше {} МБ.", megabytes(*limit)),
            &format!("{name} көлемі {} МБ-тан асады.", megabytes(*limit)),
        ),
        Refusal::NotUtf8 { name } => pick(
            lang,
            &format!("{name} is not UTF-8 text; save it as UTF-8 in your editor."),
            &format!("{name} — не текст в кодировке UTF-8; сохраните его в UTF-8."),
            &format!("{name} UTF-8 мәтіні емес; оны UTF-8 кодтауымен сақтаңыз."),
        ),
        Refusal::NotZip { .. } => pick(
            lang,
            "This .zip cannot be read; create it again with an ordinary zip tool.",
            "Этот .zip не читается; создайте архив заново обычной программой.",
            "Бұл .zip оқылмайды; архивті қарапайым бағдарламамен қайта жасаңыз.",
        ),
        Refusal::UnpackedTooLarge { limit } => pick(
            lang,
            &format!("The .zip unpacks to more than {} MB.", megabytes(*limit)),
            &format!(
                "Архив .zip в распакованном виде больше {} МБ.",
                megabytes(*limit)
            ),
            &format!(".zip архиві ашылғанда {} МБ-тан асады.", megabytes(*limit)),
        ),
        Refusal::TooManyFiles { limit } => pick(
            lang,
            &format!("The .zip holds more than {limit} files."),
            &format!("В архиве .zip больше {limit} файлов."),
            &format!(".zip архивінде {limit} файлдан көп."),
        ),
        Refusal::UnsafePath { path } => pick(
            lang,
            &format!(
                "{path}: paths in the .zip must be plain file names (no .., no absolute path, no drive letter, no backslash)."
            ),
            &format!(
                "{path}: пути в .zip должны быть простыми именами файлов (без .., абсолютных путей, букв дисков и обратной косой черты)."
            ),
            &format!(
                "{path}: .zip ішіндегі жолдар қарапайым файл атаулары болуы керек (.., абсолют жол, диск әрпі, кері қиғаш сызық болмауы керек)."
            ),
        ),
        Refusal::Symlink { path } => pick(
            lang,
            &format!("{path} is a symbolic link; the .zip may hold only files."),
            &format!("{path} — символическая ссылка; в .zip могут быть только файлы."),
            &format!("{path} — символдық сілтеме; .zip ішінде тек файлдар болуы керек."),
        ),
        Refusal::Encrypted { path } => pick(
            lang,
            &format!("{path} is encrypted; send the .zip without a password."),
            &format!("{path} зашифрован; отправьте .zip без пароля."),
            &format!("{path} шифрланған; .zip архивін құпиясөзсіз жіберіңіз."),
        ),
        Refusal::Nested { path } => pick(
            lang,
            &format!(
                "{path}: put the .yaml files at the top of the .zip or in one folder, without folders inside."
            ),
            &format!(
                "{path}: файлы .yaml должны лежать в корне .zip или в одной папке, без вложенных папок."
            ),
            &format!(
                "{path}: .yaml файлдары .zip түбірінде не бір қалтада, ішкі қалталарсыз болуы керек."
            ),
        ),
        Refusal::NotYamlInZip { path } => pick(
            lang,
            &format!(
                "{path} is not a .yaml file; the .zip may hold only the knowledge .yaml files (and README.md)."
            ),
            &format!(
                "{path} — не файл .yaml; в .zip могут быть только файлы .yaml базы знаний (и README.md)."
            ),
            &format!(
                "{path} .yaml файлы емес; .zip ішінде тек білім базасының .yaml файлдары (және README.md) болуы керек."
            ),
        ),
        Refusal::Duplicate { path } => pick(
            lang,
            &format!("{path} is in the .zip twice."),
            &format!("{path} встречается в .zip дважды."),
            &format!("{path} .zip ішінде екі рет кездеседі."),
        ),
        Refusal::Empty => pick(
            lang,
            "The .zip holds no .yaml file.",
            "В .zip нет ни одного файла .yaml.",
            ".zip ішінде бірде-бір .yaml файлы жоқ.",
        ),
    };
    format!("{sentence} {}", nothing_changed(lang))
}

/// The problems of a rejected candidate: a heading, then one problem per
/// line (file:line:column, message, hint). The caller splits it into
/// messages if long.
pub fn problems(diags: &[Diagnostic], lang: Lang) -> String {
    let heading = match lang {
        Lang::En => format!(
            "Not published: {} problem(s). Nothing was changed; fix them and send the file again.",
            diags.len()
        ),
        Lang::Ru => format!(
            "Не опубликовано: проблем — {}. Ничего не изменено; исправьте их и отправьте файл снова.",
            diags.len()
        ),
        Lang::Kk => format!(
            "Жарияланбады: {} қате. Ештеңе өзгертілмеді; оларды түзетіп, файлды қайта жіберіңіз.",
            diags.len()
        ),
    };
    let lines: Vec<String> = diags.iter().map(ToString::to_string).collect();
    format!("{heading}\n\n{}", lines.join("\n"))
}

/// The message for a staging that did not produce a candidate.
pub fn stage_error(e: &StageError, lang: Lang) -> String {
    match e {
        StageError::Rejected(diags) => problems(diags, lang),
        StageError::Unchanged => pick(
            lang,
            "This is exactly the knowledge already published: nothing to publish.",
            "Это в точности уже опубликованная база знаний: публиковать нечего.",
            "Бұл — дәл қазір жарияланған білім базасы: жариялайтын ештеңе жоқ.",
        ),
        StageError::Io(_) => format!("{} {}", io_failure(lang), nothing_changed(lang)),
    }
}

fn io_failure(lang: Lang) -> String {
    pick(
        lang,
        "The knowledge files could not be read or written on the server.",
        "Не удалось прочитать или записать файлы базы знаний на сервере.",
        "Білім базасының файлдарын серверде оқу не жазу мүмкін болмады.",
    )
}

/// The message for a publish that did not happen. A stale stage carries
/// its new summary, which the caller shows under this text.
pub fn publish_error(e: &PublishError, lang: Lang) -> String {
    match e {
        PublishError::NoSuchStage => pick(
            lang,
            "This upload is no longer waiting to be published (cancelled, replaced by a newer upload, or the bot restarted). Send the file again.",
            "Эта загрузка больше не ждёт публикации (отменена, заменена новой или бот перезапускался). Отправьте файл снова.",
            "Бұл жүктеме енді жариялауды күтпейді (болдырылмады, жаңасымен ауыстырылды не бот қайта іске қосылды). Файлды қайта жіберіңіз.",
        ),
        PublishError::Stale(_) => pick(
            lang,
            "The knowledge changed since your upload (another admin published). Nothing was published; here is what your upload would change now:",
            "База знаний изменилась после вашей загрузки (опубликовал другой администратор). Ничего не опубликовано; вот что ваша загрузка изменит теперь:",
            "Сіз жүктегеннен кейін білім базасы өзгерді (басқа әкімші жариялады). Ештеңе жарияланбады; сіздің жүктемеңіз енді мынаны өзгертеді:",
        ),
        PublishError::Check(inner) => stage_error(inner, lang),
        PublishError::StaleRejected(inner) => format!(
            "{}\n\n{}",
            pick(
                lang,
                "The knowledge changed since your upload (another admin published), and your upload does not pass the check on top of it.",
                "База знаний изменилась после вашей загрузки (опубликовал другой администратор), и ваша загрузка не проходит проверку поверх неё.",
                "Сіз жүктегеннен кейін білім базасы өзгерді (басқа әкімші жариялады), сіздің жүктемеңіз оның үстінен тексеруден өтпейді.",
            ),
            stage_error(inner, lang)
        ),
        PublishError::Write(WriteError::NotWritten(_)) | PublishError::Versions(_) => format!(
            "{} {}",
            pick(
                lang,
                "Publishing failed: the files could not be written on the server (disk full or read-only?). The previous knowledge keeps serving.",
                "Публикация не удалась: файлы не записались на сервере (диск заполнен или только для чтения?). Работает прежняя база знаний.",
                "Жариялау сәтсіз аяқталды: файлдар серверге жазылмады (диск толы не тек оқуға арналған ба?). Бұрынғы білім базасы жұмыс істеп тұр.",
            ),
            nothing_changed(lang)
        ),
        PublishError::Write(WriteError::Interrupted(_)) => pick(
            lang,
            "Publishing was interrupted while the files were being renamed on the server. The previous knowledge keeps serving; the publish will be finished when the bot restarts.",
            "Публикация прервалась при переименовании файлов на сервере. Работает прежняя база знаний; публикация завершится при перезапуске бота.",
            "Жариялау серверде файлдардың атауын өзгерту кезінде үзілді. Бұрынғы білім базасы жұмыс істеп тұр; жариялау бот қайта іске қосылғанда аяқталады.",
        ),
        PublishError::NoVersion => pick(
            lang,
            "There is no earlier version to go back to.",
            "Нет более ранней версии, к которой можно вернуться.",
            "Қайтатын бұрынғы нұсқа жоқ.",
        ),
    }
}

/// One line per version, newest first: number, date and time in `tz`, who,
/// where from, and the counts of entries added, removed and changed.
pub fn history(versions: &[VersionInfo], live: Option<u32>, lang: Lang, tz: Tz) -> String {
    if versions.is_empty() {
        return pick(
            lang,
            "No version has been published from Telegram yet.",
            "Из Telegram ещё не опубликовано ни одной версии.",
            "Telegram арқылы әлі бірде-бір нұсқа жарияланбаған.",
        );
    }
    let mut lines = vec![pick(lang, "Versions:", "Версии:", "Нұсқалар:")];
    for v in versions {
        let when = tz.timestamp_opt(v.at, 0).single().map_or_else(
            || v.at.to_string(),
            |t| t.format("%Y-%m-%d %H:%M").to_string(),
        );
        let who = match v.by {
            Some(id) => format!("{} {id}", pick(lang, "admin", "администратор", "әкімші")),
            None => pick(lang, "on the server", "на сервере", "серверде"),
        };
        let what = source_words(&v.source, lang);
        let counts = v.summary.as_ref().map_or(String::new(), |s| {
            let (a, r, c) = s.counts();
            format!(" · +{a} −{r} ~{c}")
        });
        let mark = if Some(v.number) == live {
            pick(lang, " ← live", " ← действует", " ← қазір")
        } else {
            String::new()
        };
        lines.push(format!(
            "#{} · {when} · {who} · {what}{counts}{mark}",
            v.number
        ));
    }
    lines.join("\n")
}

/// The message for an upload that was not staged.
pub fn upload_error(e: &UploadError, lang: Lang) -> String {
    match e {
        UploadError::Refused(r) => refusal(r, lang),
        UploadError::Stage(e) => stage_error(e, lang),
    }
}

/// Under the version list: how to go back.
pub fn history_hint(lang: Lang) -> String {
    pick(
        lang,
        "/rollback goes back to the previous version, /rollback N to version N; you confirm with a button.",
        "/rollback возвращает предыдущую версию, /rollback N — версию N; подтверждение кнопкой.",
        "/rollback алдыңғы нұсқаны қайтарады, /rollback N — N нұсқасын; батырмамен растайсыз.",
    )
}

/// The versions could not be read.
pub fn history_unavailable(lang: Lang) -> String {
    pick(
        lang,
        "The version history could not be read on the server.",
        "Не удалось прочитать историю версий на сервере.",
        "Нұсқалар тарихын серверде оқу мүмкін болмады.",
    )
}

// ---- publishing: the upload's way ----

/// While a document is downloaded and checked.
pub fn checking(name: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("Checking {name}…"),
        Lang::Ru => format!("Проверяю {name}…"),
        Lang::Kk => format!("{name} тексеріліп жатыр…"),
    }
}

/// The document could not be downloaded.
pub fn download_failed(lang: Lang) -> String {
    format!(
        "{} {}",
        pick(
            lang,
            "The file could not be downloaded from Telegram; please send it again.",
            "Не удалось скачать файл из Telegram; отправьте его ещё раз.",
            "Файлды Telegram-нан жүктеп алу мүмкін болмады; оны қайта жіберіңіз.",
        ),
        nothing_changed(lang)
    )
}

/// Above the summary of an upload that passed the check.
pub fn staged_upload(name: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "{name}: no problems found. Nothing changes for anyone until you press Publish."
        ),
        Lang::Ru => format!(
            "{name}: проблем не найдено. Для пользователей ничего не изменится, пока вы не нажмёте «Опубликовать»."
        ),
        Lang::Kk => format!(
            "{name}: қате табылмады. «Жариялау» батырмасын баспайынша пайдаланушылар үшін ештеңе өзгермейді."
        ),
    }
}

/// Above the summary of a rollback that passed the check.
pub fn staged_rollback(to: u32, lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "Back to version #{to}: the check passed. Nothing changes for anyone until you press Roll back."
        ),
        Lang::Ru => format!(
            "Возврат к версии №{to}: проверка пройдена. Для пользователей ничего не изменится, пока вы не нажмёте «Откатить»."
        ),
        Lang::Kk => format!(
            "№{to} нұсқаға қайту: тексеруден өтті. «Қайтару» батырмасын баспайынша пайдаланушылар үшін ештеңе өзгермейді."
        ),
    }
}

/// The button that publishes an upload.
pub fn publish_button(lang: Lang) -> String {
    pick(lang, "Publish", "Опубликовать", "Жариялау")
}

/// The button that publishes a rollback.
pub fn rollback_button(to: u32, lang: Lang) -> String {
    match lang {
        Lang::En => format!("Roll back to #{to}"),
        Lang::Ru => format!("Откатить к №{to}"),
        Lang::Kk => format!("№{to} нұсқаға қайтару"),
    }
}

/// The button that drops a stage.
pub fn cancel_button(lang: Lang) -> String {
    pick(lang, "Cancel", "Отмена", "Бас тарту")
}

/// After Publish.
pub fn published(version: u32, lang: Lang) -> String {
    match lang {
        Lang::En => format!("Published as version #{version}: everyone gets the new answers now."),
        Lang::Ru => format!("Опубликовано как версия №{version}: новые ответы уже видят все."),
        Lang::Kk => {
            format!("№{version} нұсқа ретінде жарияланды: жаңа жауаптарды енді барлығы көреді.")
        }
    }
}

/// What a version was made from, in a few words.
fn source_words(source: &Source, lang: Lang) -> String {
    match source {
        Source::Upload { name } => name.clone(),
        Source::Rollback { to } => match lang {
            Lang::En => format!("rollback to #{to}"),
            Lang::Ru => format!("откат к №{to}"),
            Lang::Kk => format!("№{to} нұсқаға қайту"),
        },
        Source::Found => pick(lang, "files found", "найденные файлы", "табылған файлдар"),
    }
}

/// To the other admins, above the summary of what was published.
pub fn published_by(admin: u64, version: u32, source: &Source, lang: Lang) -> String {
    let what = source_words(source, lang);
    match lang {
        Lang::En => format!("Admin {admin} published version #{version} ({what})."),
        Lang::Ru => format!("Администратор {admin} опубликовал версию №{version} ({what})."),
        Lang::Kk => format!("Әкімші {admin} №{version} нұсқаны жариялады ({what})."),
    }
}

/// After Cancel.
pub fn cancelled(lang: Lang) -> String {
    pick(
        lang,
        "Cancelled: nothing was published.",
        "Отменено: ничего не опубликовано.",
        "Бас тартылды: ештеңе жарияланбады.",
    )
}

/// /rollback with something that is not a version number.
pub fn rollback_usage(lang: Lang) -> String {
    pick(
        lang,
        "Write /rollback for the previous version, or /rollback with a number from /history, e.g. /rollback 3.",
        "Напишите /rollback, чтобы вернуть предыдущую версию, или /rollback с номером из /history, например: /rollback 3.",
        "Алдыңғы нұсқаны қайтару үшін /rollback деп, ал /history тізіміндегі нұсқаны қайтару үшін /rollback пен оның нөмірін жазыңыз, мысалы: /rollback 3.",
    )
}

/// The caption of an exported zip.
pub fn export_all(files: usize, lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "The knowledge as it is served now ({files} files). Edit a file and send it back to me to publish it."
        ),
        Lang::Ru => format!(
            "База знаний в том виде, в каком она работает сейчас (файлов: {files}). Исправьте файл и пришлите его мне, чтобы опубликовать."
        ),
        Lang::Kk => format!(
            "Қазір жұмыс істеп тұрған білім базасы ({files} файл). Файлды түзетіп, жариялау үшін маған қайта жіберіңіз."
        ),
    }
}

/// The caption of one exported file.
pub fn export_one(name: &str, lang: Lang) -> String {
    match lang {
        Lang::En => {
            format!("{name} as it is served now. Edit it and send it back to me to publish it.")
        }
        Lang::Ru => format!(
            "{name} в том виде, в каком он работает сейчас. Исправьте его и пришлите мне, чтобы опубликовать."
        ),
        Lang::Kk => format!(
            "Қазір жұмыс істеп тұрған {name} файлы. Оны түзетіп, жариялау үшін маған қайта жіберіңіз."
        ),
    }
}

/// /export of a topic that has no file.
pub fn export_missing(key: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "There is no topic file {key}. /topics lists the topics; /export alone sends every file."
        ),
        Lang::Ru => format!(
            "Файла темы {key} нет. Список тем — /topics; /export без названия пришлёт все файлы."
        ),
        Lang::Kk => format!(
            "{key} тақырып файлы жоқ. Тақырыптар тізімі — /topics; атаусыз /export барлық файлды жібереді."
        ),
    }
}

/// The files could not be read or sent for an export.
pub fn export_failed(lang: Lang) -> String {
    pick(
        lang,
        "The knowledge files could not be read or sent; please try again later.",
        "Не удалось прочитать или отправить файлы базы знаний; попробуйте позже.",
        "Білім базасының файлдарын оқу не жіберу мүмкін болмады; кейінірек қайталап көріңіз.",
    )
}

// ---- reloads and the start-up self-test ----

/// Problems listed at most in one notice.
const MAX_PROBLEMS_SHOWN: usize = 20;

fn problem_lines(problems: &[Diagnostic]) -> String {
    let lines: Vec<String> = problems
        .iter()
        .take(MAX_PROBLEMS_SHOWN)
        .map(|d| d.to_string())
        .collect();
    lines.join("\n")
}

/// /reload loaded `n` entries.
pub fn reloaded(n: usize, lang: Lang) -> String {
    match lang {
        Lang::En => format!("Reloaded: {n} entries."),
        Lang::Ru => format!("База знаний перезагружена: записей — {n}."),
        Lang::Kk => format!("Білім базасы қайта жүктелді: {n} жазба."),
    }
}

/// Nothing to reload.
pub fn reload_unchanged(lang: Lang) -> String {
    pick(
        lang,
        "The knowledge files have not changed.",
        "Файлы базы знаний не изменились.",
        "Білім базасының файлдары өзгермеген.",
    )
}

/// A rejected reload: the first problems, one per line.
pub fn reload_rejected(problems: &[Diagnostic], lang: Lang) -> String {
    let heading = pick(
        lang,
        "Knowledge reload rejected; the previous knowledge keeps serving.",
        "Перезагрузка базы знаний отклонена; бот продолжает отвечать по прежней базе.",
        "Білім базасын қайта жүктеу қабылданбады; бот бұрынғы база бойынша жауап беруін жалғастырады.",
    );
    format!("{heading}\n\n{}", problem_lines(problems))
}

/// At start, when the base loads but fails its self-test: the bot serves
/// it anyway, since there is nothing better to serve.
pub fn selftest_failed(problems: &[Diagnostic], lang: Lang) -> String {
    let n = problems.len();
    let heading = match lang {
        Lang::En => format!(
            "Warning: the knowledge base the bot started with fails its self-test ({n} problem(s), listed below). It is served anyway; a reload will be refused until this is fixed (`balabot check`)."
        ),
        Lang::Ru => format!(
            "Внимание: база знаний, с которой запустился бот, не проходит самопроверку (проблем: {n}, список ниже). Бот всё равно отвечает по ней; перезагрузка будет отклоняться, пока это не исправлено (`balabot check`)."
        ),
        Lang::Kk => format!(
            "Назар аударыңыз: бот іске қосылған білім базасы өзін-өзі тексеруден өтпейді (мәселелер саны: {n}, тізімі төменде). Бот бәрібір осы база бойынша жауап береді; бұл түзетілмейінше қайта жүктеу қабылданбайды (`balabot check`)."
        ),
    };
    format!("{heading}\n\n{}", problem_lines(problems))
}

// ---- /stats and /unanswered ----

/// The figures of /stats (the chart is added by the caller).
pub fn stats(s: &Stats, lang: Lang) -> String {
    let share = if s.total > 0 {
        100.0 * s.answered as f64 / s.total as f64
    } else {
        0.0
    };
    let langs: Vec<String> = s.by_lang.iter().map(|(l, n)| format!("{l} {n}")).collect();
    let langs = if langs.is_empty() {
        "-".to_string()
    } else {
        langs.join(", ")
    };
    let top: Vec<String> = s
        .top_entries
        .iter()
        .map(|(e, n)| format!("  {e}: {n}"))
        .collect();
    let top = if top.is_empty() {
        "  -".to_string()
    } else {
        top.join("\n")
    };
    let (today, week, total) = (s.today, s.week, s.total);
    match lang {
        Lang::En => format!(
            "Questions: today {today}, last 7 days {week}, total {total}.\nAnswered: {share:.0}%.\nBy language: {langs}.\nTop entries:\n{top}"
        ),
        Lang::Ru => format!(
            "Вопросов: сегодня {today}, за 7 дней {week}, всего {total}.\nС ответом: {share:.0}%.\nПо языкам: {langs}.\nЧаще всего спрашивают:\n{top}"
        ),
        Lang::Kk => format!(
            "Сұрақтар: бүгін {today}, соңғы 7 күнде {week}, барлығы {total}.\nЖауап берілгені: {share:.0}%.\nТілдер бойынша: {langs}.\nЖиі сұралатын жазбалар:\n{top}"
        ),
    }
}

/// The state file could not be read for /stats or /unanswered.
pub fn not_available(error: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("Not available: {error}"),
        Lang::Ru => format!("Недоступно: {error}"),
        Lang::Kk => format!("Қолжетімсіз: {error}"),
    }
}

/// The labels of the 30-day chart of /stats.
pub struct ChartLabels {
    pub heading: &'static str,
    /// With `{max}`: the most questions on one day.
    pub highest: &'static str,
    pub asked: &'static str,
    pub unanswered: &'static str,
    /// After the heading when no question came in the 30 days.
    pub none: &'static str,
}

pub fn chart_labels(lang: Lang) -> ChartLabels {
    match lang {
        Lang::En => ChartLabels {
            heading: "Last 30 days",
            highest: "highest: {max} a day",
            asked: "questions",
            unanswered: "not answered",
            none: "no questions",
        },
        Lang::Ru => ChartLabels {
            heading: "За 30 дней",
            highest: "максимум {max} в день",
            asked: "вопросы",
            unanswered: "без ответа",
            none: "вопросов не было",
        },
        Lang::Kk => ChartLabels {
            heading: "Соңғы 30 күн",
            highest: "ең көбі күніне {max}",
            asked: "сұрақтар",
            unanswered: "жауапсыз",
            none: "сұрақ болған жоқ",
        },
    }
}

/// How many entries are due for a review against their sources.
pub fn due_for_review(n: usize, lang: Lang) -> String {
    match lang {
        Lang::En => format!("Entries due for review: {n}."),
        Lang::Ru => format!("Записей, которые пора перепроверить: {n}."),
        Lang::Kk => format!("Қайта тексеру уақыты келген жазбалар: {n}."),
    }
}

/// /unanswered with nothing kept.
pub fn no_unanswered(lang: Lang) -> String {
    pick(
        lang,
        "No unanswered questions so far.",
        "Вопросов без ответа пока нет.",
        "Жауапсыз сұрақтар әзірге жоқ.",
    )
}

/// Above the list of /unanswered.
pub fn unanswered_heading(lang: Lang) -> String {
    pick(
        lang,
        "Most frequent unanswered questions:",
        "Самые частые вопросы без ответа:",
        "Жауапсыз қалған ең жиі сұрақтар:",
    )
}

// ---- the broadcast ----

/// /broadcast asks for a confirmation.
pub fn broadcast_confirm(subscribers: usize, lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "Send the Children's Day message now to {subscribers} subscribed chat(s)? Chats that already got this year's message are skipped."
        ),
        Lang::Ru => format!(
            "Отправить поздравление с Днём защиты детей сейчас во все подписанные чаты ({subscribers})? Чаты, которые уже получили поздравление в этом году, будут пропущены."
        ),
        Lang::Kk => format!(
            "Балаларды қорғау күнімен құттықтауды қазір барлық жазылған чатқа ({subscribers}) жіберу керек пе? Биылғы құттықтауды алып қойған чаттар өткізіліп жіберіледі."
        ),
    }
}

pub fn broadcast_button(lang: Lang) -> String {
    pick(lang, "Send now", "Отправить сейчас", "Қазір жіберу")
}

pub fn broadcast_started(year: i32, lang: Lang) -> String {
    match lang {
        Lang::En => format!("Broadcast {year} started."),
        Lang::Ru => format!("Рассылка {year} года началась."),
        Lang::Kk => format!("{year} жылғы тарату басталды."),
    }
}

/// "1 min 05 s", "40 s".
fn duration_words(d: Duration, lang: Lang) -> String {
    let secs = d.as_secs();
    let (min, s) = (secs / 60, secs % 60);
    let (m_word, s_word) = match lang {
        Lang::En => ("min", "s"),
        Lang::Ru | Lang::Kk => ("мин", "с"),
    };
    if min > 0 {
        format!("{min} {m_word} {s:02} {s_word}")
    } else {
        format!("{s} {s_word}")
    }
}

/// The progress message of a broadcast, edited as it goes.
pub fn broadcast_progress(p: &BroadcastProgress, lang: Lang) -> String {
    let BroadcastProgress {
        year,
        total,
        done,
        sent,
        dropped,
        unknown,
        left,
    } = *p;
    if done >= total {
        return match lang {
            Lang::En => format!(
                "Children's Day message {year}: all {total} chat(s) done — sent {sent}, dropped {dropped}, unknown {unknown}. The summary follows."
            ),
            Lang::Ru => format!(
                "Поздравление {year}: обработаны все чаты ({total}) — отправлено {sent}, выбыло {dropped}, неизвестно {unknown}. Итог — следующим сообщением."
            ),
            Lang::Kk => format!(
                "{year} құттықтауы: барлық чат ({total}) өңделді — жіберілді {sent}, шығып қалды {dropped}, белгісіз {unknown}. Қорытынды келесі хабарламада."
            ),
        };
    }
    let left = left.map(|d| duration_words(d, lang));
    match lang {
        Lang::En => format!(
            "Children's Day message {year}: {done} of {total} chat(s) done — sent {sent}, dropped {dropped}, unknown {unknown}.{}",
            left.map_or(String::new(), |l| format!(" About {l} left."))
        ),
        Lang::Ru => format!(
            "Поздравление {year}: обработано {done} из {total} чатов — отправлено {sent}, выбыло {dropped}, неизвестно {unknown}.{}",
            left.map_or(String::new(), |l| format!(" Осталось примерно {l}."))
        ),
        Lang::Kk => format!(
            "{year} құттықтауы: {total} чаттан {done} чат өңделді — жіберілді {sent}, шығып қалды {dropped}, белгісіз {unknown}.{}",
            left.map_or(String::new(), |l| format!(" Шамамен {l} қалды."))
        ),
    }
}

/// The summary of a broadcast run.
pub fn broadcast_summary(s: &BroadcastSummary, lang: Lang) -> String {
    let t = &s.tally;
    let (year, retries, secs) = (s.year, s.retries, s.elapsed.as_secs_f64());
    let (sent, dropped, unknown, failed) = (t.sent, t.dropped, t.unknown, t.failed);
    match lang {
        Lang::En => format!(
            "Children's Day broadcast {year}{}: sent {sent}, dropped {dropped} (blocked or gone, unsubscribed), unknown {unknown} (interrupted, not re-sent), failed {failed}; {retries} retries; {secs:.1} s.",
            s.resent.map_or(String::new(), |n| format!(
                " (sent again to {n} unknown chat(s))"
            ))
        ),
        Lang::Ru => format!(
            "Рассылка ко Дню защиты детей {year}{}: отправлено {sent}, выбыло {dropped} (бот заблокирован или чата нет, подписка снята), неизвестно {unknown} (отправка прервалась, повторно не отправлялось), ошибок {failed}; повторных попыток {retries}; {secs:.1} с.",
            s.resent.map_or(String::new(), |n| format!(
                " (повторно в чаты с неизвестной доставкой: {n})"
            ))
        ),
        Lang::Kk => format!(
            "{year} жылғы Балаларды қорғау күніне арналған тарату{}: жіберілді {sent}, шығып қалды {dropped} (бот бұғатталған не чат жоқ, жазылым тоқтатылды), белгісіз {unknown} (жіберу үзілді, қайта жіберілмеді), қате {failed}; қайталау {retries}; {secs:.1} с.",
            s.resent.map_or(String::new(), |n| format!(
                " (жеткізілуі белгісіз чаттарға қайта: {n})"
            ))
        ),
    }
}

/// A broadcast that stopped on an error.
pub fn broadcast_failed(year: i32, error: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("Children's Day broadcast {year} stopped with an error: {error}"),
        Lang::Ru => {
            format!("Рассылка ко Дню защиты детей {year} остановилась из-за ошибки: {error}")
        }
        Lang::Kk => {
            format!(
                "{year} жылғы Балаларды қорғау күніне арналған тарату қатеге байланысты тоқтады: {error}"
            )
        }
    }
}

/// The button under the summary that sends to the unknown chats.
pub fn send_to_unknown_button(unknown: u64, lang: Lang) -> String {
    match lang {
        Lang::En => format!("Send to the {unknown} unknown chat(s) (some may get it twice)"),
        Lang::Ru => format!("Отправить в неизвестные чаты ({unknown}); кто-то получит дважды"),
        Lang::Kk => format!("Белгісіз чаттарға ({unknown}) жіберу; кейбірі екі рет алады"),
    }
}

pub fn no_unknown_left(year: i32, lang: Lang) -> String {
    match lang {
        Lang::En => format!("No chat of the {year} broadcast is unknown any more."),
        Lang::Ru => format!("В рассылке {year} года больше нет чатов с неизвестной доставкой."),
        Lang::Kk => format!("{year} жылғы таратуда жеткізілуі белгісіз чат енді жоқ."),
    }
}

pub fn sending_to_unknown(year: i32, n: u64, lang: Lang) -> String {
    match lang {
        Lang::En => {
            format!("Sending the {year} message to {n} unknown chat(s); a summary follows.")
        }
        Lang::Ru => format!(
            "Отправляю поздравление {year} года в чаты с неизвестной доставкой ({n}); итог пришлю следом."
        ),
        Lang::Kk => format!(
            "{year} жылғы құттықтауды жеткізілуі белгісіз чаттарға ({n}) жіберіп жатырмын; қорытындысын кейін жіберемін."
        ),
    }
}

// ---- /about (shown to everyone; the core's texts do not have these) ----

/// Above the list of sources.
pub fn about_sources(lang: Lang) -> String {
    pick(
        lang,
        "Sources, most cited first (the newest date cited in brackets):",
        "Источники, сначала самые цитируемые (в скобках — самая свежая дата):",
        "Дереккөздер, ең көп сілтеме жасалғандары алдымен (жақшада — ең жаңа күні):",
    )
}

/// The sources left out of the list.
pub fn about_more(n: usize, lang: Lang) -> String {
    match lang {
        Lang::En => format!("… and {n} more"),
        Lang::Ru => format!("… и ещё {n}"),
        Lang::Kk => format!("… тағы {n}"),
    }
}

/// When the live knowledge was published, and as which version.
pub fn about_published(date: &str, version: u32, lang: Lang) -> String {
    match lang {
        Lang::En => format!("Last published: {date} (version #{version})."),
        Lang::Ru => format!("Последняя публикация: {date} (версия №{version})."),
        Lang::Kk => format!("Соңғы жариялау: {date} (№{version} нұсқа)."),
    }
}
