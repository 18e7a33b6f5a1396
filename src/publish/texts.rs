//! What publishing says to an admin, in English, Russian and Kazakh:
//! refusals of an upload, the problems of a rejected candidate, the
//! outcome of a publish, the version history. Plain text: the caller
//! escapes it for HTML like any other text.

use super::PublishError;
use super::stage::StageError;
use super::upload::Refusal;
use super::versions::{Source, VersionInfo};
use crate::knowledge::Diagnostic;
use crate::lang::Lang;
use chrono::TimeZone;
use chrono_tz::Tz;

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
        PublishError::Write(super::write::WriteError::NotWritten(_))
        | PublishError::Versions(_) => format!(
            "{} {}",
            pick(
                lang,
                "Publishing failed: the files could not be written on the server (disk full or read-only?). The previous knowledge keeps serving.",
                "Публикация не удалась: файлы не записались на сервере (диск заполнен или только для чтения?). Работает прежняя база знаний.",
                "Жариялау сәтсіз аяқталды: файлдар серверге жазылмады (диск толы не тек оқуға арналған ба?). Бұрынғы білім базасы жұмыс істеп тұр.",
            ),
            nothing_changed(lang)
        ),
        PublishError::Write(super::write::WriteError::Interrupted(_)) => pick(
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
            Some(id) => format!("{} {id}", pick(lang, "admin", "админ", "әкімші")),
            None => pick(lang, "on the server", "на сервере", "серверде"),
        };
        let what = match &v.source {
            Source::Upload { name } => name.clone(),
            Source::Rollback { to } => {
                format!("{} #{to}", pick(lang, "rollback to", "откат к", "қайтару:"))
            }
            Source::Found => pick(lang, "files found", "найденные файлы", "табылған файлдар"),
        };
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
