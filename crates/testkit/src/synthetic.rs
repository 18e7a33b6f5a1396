//! Synthetic knowledge bases and question mixes, for benchmarks and load
//! tests (`benches/matching.rs`, `examples/loadgen.rs`). Not used by the bot.
//!
//! Everything is deterministic: the same size and seed give byte-identical
//! files and the same questions. The generated texts are built from word
//! lists per language (themes around children, schools, health, family and
//! law; regions and towns of Kazakhstan; organisations; years and numbers),
//! so the vocabulary, the word frequencies (a few words in most entries, a
//! long tail of rare ones) and the question lengths (3–12 words) resemble a
//! real base. The facts are made up: sources point at `*.example` hosts.
//!
//! ```no_run
//! use balabot_testkit::synthetic::{self, Specials};
//! let files = synthetic::knowledge_files(1000, 7, &Specials::Minimal).unwrap();
//! let engine = balabot_core::Engine::new(balabot_core::knowledge::load_files(&files).unwrap());
//! for q in synthetic::question_mix(&engine.kb, 100, 7) {
//!     engine.ask(&q.text, None);
//! }
//! ```

use balabot_core::knowledge::Knowledge;
use balabot_core::lang::Lang;
use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

/// A small deterministic random number generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5851_F42D_4C95_7F2D)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// A number in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// An index in `0..n` skewed towards the start, as word frequencies are:
    /// the first items come up far more often than the last.
    pub fn skewed(&mut self, n: usize) -> usize {
        let u = self.unit();
        ((u * u * n as f64) as usize).min(n - 1)
    }

    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// One text per language: en, ru, kk.
type T3 = [&'static str; 3];

fn idx(lang: Lang) -> usize {
    match lang {
        Lang::En => 0,
        Lang::Ru => 1,
        Lang::Kk => 2,
    }
}

/// What entries are about; one topic file each. Most common first.
const THEMES: &[(&str, T3)] = &[
    (
        "child-benefits",
        [
            "child benefits",
            "детские пособия",
            "балаларға арналған жәрдемақы",
        ],
    ),
    (
        "kindergarten",
        [
            "kindergarten places",
            "места в детских садах",
            "балабақшадағы орындар",
        ],
    ),
    (
        "school-meals",
        ["school meals", "школьное питание", "мектептегі тамақтану"],
    ),
    (
        "school-enrolment",
        [
            "school enrolment",
            "зачисление в школу",
            "мектепке қабылдау",
        ],
    ),
    (
        "vaccination",
        ["vaccination", "вакцинация", "вакцинациялау"],
    ),
    (
        "inclusive-education",
        [
            "inclusive education",
            "инклюзивное образование",
            "инклюзивті білім беру",
        ],
    ),
    ("orphans", ["orphans", "дети-сироты", "жетім балалар"]),
    (
        "foster-families",
        ["foster families", "приемные семьи", "қабылдаушы отбасылар"],
    ),
    ("adoption", ["adoption", "усыновление", "бала асырап алу"]),
    (
        "large-families",
        ["large families", "многодетные семьи", "көпбалалы отбасылар"],
    ),
    ("alimony", ["child support payments", "алименты", "алимент"]),
    ("guardianship", ["guardianship", "опека", "қорғаншылық"]),
    (
        "health-checkups",
        ["medical checkups", "медосмотры", "медициналық тексеру"],
    ),
    (
        "disability-support",
        [
            "disability support",
            "поддержка детей с инвалидностью",
            "мүгедектігі бар балаларды қолдау",
        ],
    ),
    (
        "free-textbooks",
        ["free textbooks", "бесплатные учебники", "тегін оқулықтар"],
    ),
    (
        "summer-camps",
        ["summer camps", "летние лагеря", "жазғы лагерьлер"],
    ),
    (
        "school-uniform",
        ["school uniform", "школьная форма", "мектеп формасы"],
    ),
    (
        "child-labour",
        ["child labour", "детский труд", "балалар еңбегі"],
    ),
    (
        "juvenile-courts",
        ["juvenile courts", "ювенальные суды", "ювеналдық соттар"],
    ),
    (
        "maternity-leave",
        [
            "maternity leave",
            "декретный отпуск",
            "бала күтімі демалысы",
        ],
    ),
    (
        "sports-clubs",
        ["sports clubs", "спортивные секции", "спорт секциялары"],
    ),
    (
        "school-buses",
        ["school buses", "школьные автобусы", "мектеп автобустары"],
    ),
    (
        "internet-safety",
        [
            "internet safety",
            "безопасность в интернете",
            "интернеттегі қауіпсіздік",
        ],
    ),
    (
        "dental-care",
        ["dental care", "стоматологическая помощь", "тіс емдеу"],
    ),
    (
        "mental-health",
        [
            "mental health",
            "психическое здоровье",
            "психикалық денсаулық",
        ],
    ),
    (
        "school-psychologists",
        [
            "school psychologists",
            "школьные психологи",
            "мектеп психологтары",
        ],
    ),
    (
        "child-passports",
        ["passport for a child", "паспорт ребенка", "балаға төлқұжат"],
    ),
    (
        "birth-registration",
        [
            "birth registration",
            "регистрация рождения",
            "туу туралы куәлік",
        ],
    ),
    (
        "road-safety",
        ["road safety", "безопасность на дорогах", "жол қауіпсіздігі"],
    ),
    (
        "after-school-clubs",
        ["after-school clubs", "кружки", "үйірмелер"],
    ),
    (
        "final-exams",
        ["final exams", "выпускные экзамены", "бітіру емтихандары"],
    ),
    (
        "scholarships",
        ["scholarships", "стипендии", "стипендиялар"],
    ),
    (
        "teen-jobs",
        [
            "jobs for teenagers",
            "работа для подростков",
            "жасөспірімдерге жұмыс",
        ],
    ),
    (
        "early-marriage",
        ["early marriage", "ранние браки", "ерте неке"],
    ),
    (
        "child-poverty",
        ["child poverty", "детская бедность", "балалар кедейлігі"],
    ),
    (
        "playgrounds",
        ["playgrounds", "детские площадки", "балалар алаңдары"],
    ),
    (
        "health-insurance",
        [
            "health insurance",
            "медицинское страхование",
            "медициналық сақтандыру",
        ],
    ),
    (
        "free-medicines",
        [
            "free medicines",
            "бесплатные лекарства",
            "тегін дәрі-дәрмек",
        ],
    ),
    (
        "school-security",
        ["school security", "охрана в школах", "мектеп күзеті"],
    ),
    (
        "libraries",
        [
            "children's libraries",
            "детские библиотеки",
            "балалар кітапханалары",
        ],
    ),
    (
        "newborn-care",
        [
            "newborn care",
            "уход за новорожденными",
            "жаңа туған нәрестені күту",
        ],
    ),
    (
        "family-housing",
        [
            "housing for families",
            "жилье для семей",
            "отбасыларға баспана",
        ],
    ),
];

/// What is asked about a theme: its title part, a keyword, and question
/// templates per language ({t} theme, {r} "in region", {rn} region name,
/// {y} year).
struct Aspect {
    slug: &'static str,
    title: T3,
    keyword: T3,
    questions: [&'static [&'static str]; 3],
}

const ASPECTS: &[Aspect] = &[
    Aspect {
        slug: "rules",
        title: ["rules", "правила", "ережелер"],
        keyword: ["rules", "правила", "ережелер"],
        questions: [
            &[
                "What are the rules for {t} {r}?",
                "{t} rules {rn}",
                "How does {t} work {r}?",
                "Is there a law about {t}?",
                "{t} regulations {y}",
                "who decides on {t} {r}",
            ],
            &[
                "Какие правила про {t} {r}?",
                "{t} правила {rn}",
                "Как работает {t} {r}?",
                "Есть ли закон про {t}?",
                "{t} закон {y}",
                "кто отвечает за {t} {r}",
            ],
            &[
                "{r} {t} туралы қандай ережелер бар?",
                "{t} ережелері {rn}",
                "{r} {t} қалай жұмыс істейді?",
                "{t} туралы заң бар ма?",
                "{t} {y} жылы",
                "{r} {t} үшін кім жауапты",
            ],
        ],
    },
    Aspect {
        slug: "cost",
        title: ["cost", "стоимость", "құны"],
        keyword: ["cost", "стоимость", "құны"],
        questions: [
            &[
                "How much does {t} cost {r}?",
                "Is {t} free {r}?",
                "{t} price {y}",
                "who pays for {t}",
                "{t} cost for parents {rn}",
                "Do parents pay anything for {t}?",
            ],
            &[
                "Сколько стоит {t} {r}?",
                "{t} бесплатно или платно?",
                "{t} цена {y}",
                "кто платит за {t} {r}",
                "{t} стоимость для родителей",
                "Нужно ли родителям платить за {t}?",
            ],
            &[
                "{r} {t} қанша тұрады?",
                "{t} тегін бе?",
                "{t} бағасы {y}",
                "{t} үшін кім төлейді",
                "ата-аналар үшін {t} құны",
                "Ата-аналар {t} үшін ақы төлей ме?",
            ],
        ],
    },
    Aspect {
        slug: "apply",
        title: ["how to apply", "как оформить", "қалай рәсімдеу"],
        keyword: ["apply", "заявление", "өтініш"],
        questions: [
            &[
                "How do I apply for {t} {r}?",
                "{t} application documents",
                "What documents are needed for {t}?",
                "where to apply for {t} {rn}",
                "Can I apply for {t} online through eGov?",
            ],
            &[
                "Как подать заявление на {t} {r}?",
                "{t} документы для заявления",
                "Какие документы нужны на {t}?",
                "куда обращаться за {t} {rn}",
                "Можно ли оформить {t} онлайн через eGov?",
            ],
            &[
                "{r} {t} үшін қалай өтініш беремін?",
                "{t} үшін қандай құжаттар керек?",
                "{t} өтінішін қайда беру керек",
                "eGov арқылы {t} рәсімдеуге бола ма?",
                "{t} рәсімдеу {rn}",
            ],
        ],
    },
    Aspect {
        slug: "statistics",
        title: ["figures", "статистика", "статистика"],
        keyword: ["statistics", "статистика", "статистика"],
        questions: [
            &[
                "How many children use {t} {r}?",
                "{t} statistics {rn} {y}",
                "number of families with {t} in {y}",
                "How many {t} cases were there in {y}?",
                "{t} figures for the country",
            ],
            &[
                "Сколько детей получают {t} {r}?",
                "{t} статистика {rn} {y}",
                "число семей {t} в {y} году",
                "Сколько случаев {t} было в {y} году?",
                "{t} цифры по стране",
            ],
            &[
                "{r} қанша бала {t} алады?",
                "{t} статистикасы {rn} {y}",
                "{y} жылы {t} бойынша отбасылар саны",
                "{y} жылы {t} бойынша қанша жағдай тіркелді?",
                "ел бойынша {t} көрсеткіштері",
            ],
        ],
    },
    Aspect {
        slug: "age",
        title: ["age limits", "возраст", "жас шегі"],
        keyword: ["age", "возраст", "жас"],
        questions: [
            &[
                "From what age is {t} available?",
                "age limit for {t}",
                "At what age can a child get {t} {r}?",
                "{t} up to what age",
                "Is there a minimum age for {t}?",
            ],
            &[
                "С какого возраста положены {t}?",
                "возраст для {t}",
                "Во сколько лет ребенок может получить {t} {r}?",
                "{t} до скольки лет",
                "Есть ли минимальный возраст для {t}?",
            ],
            &[
                "{t} қай жастан бастап беріледі?",
                "{t} үшін жас шегі",
                "Бала {t} неше жасында ала алады?",
                "{t} неше жасқа дейін",
                "{t} үшін ең төменгі жас бар ма?",
            ],
        ],
    },
    Aspect {
        slug: "complaint",
        title: ["complaints", "жалобы", "шағымдар"],
        keyword: ["complaint", "жалоба", "шағым"],
        questions: [
            &[
                "Where can I complain about {t} {r}?",
                "{t} complaint hotline",
                "Who do I contact if {t} is denied?",
                "problem with {t} where to go {rn}",
                "How to file a complaint about {t}?",
            ],
            &[
                "Куда пожаловаться на {t} {r}?",
                "{t} жалоба куда обращаться",
                "Кому писать, если отказали в {t}?",
                "проблема с {t} {rn} куда идти",
                "Как подать жалобу на {t}?",
            ],
            &[
                "{r} {t} бойынша қайда шағымдануға болады?",
                "{t} шағым қайда жазу керек",
                "{t} берілмесе кімге хабарласу керек?",
                "{t} мәселесі {rn} қайда бару керек",
                "{t} туралы шағымды қалай беруге болады?",
            ],
        ],
    },
    Aspect {
        slug: "changes",
        title: ["changes", "изменения", "өзгерістер"],
        keyword: ["changes", "изменения", "өзгерістер"],
        questions: [
            &[
                "What changed in {t} in {y}?",
                "new {t} rules {y}",
                "{t} reform {rn}",
                "Will {t} change next year?",
                "latest news about {t} {r}",
            ],
            &[
                "Что изменилось в {t} в {y} году?",
                "новые правила {t} {y}",
                "{t} реформа {rn}",
                "Изменятся ли {t} в следующем году?",
                "последние новости про {t} {r}",
            ],
            &[
                "{y} жылы {t} саласында не өзгерді?",
                "{t} жаңа ережелері {y}",
                "{t} реформасы {rn}",
                "Келесі жылы {t} өзгере ме?",
                "{r} {t} туралы соңғы жаңалықтар",
            ],
        ],
    },
    Aspect {
        slug: "parents",
        title: ["parents' rights", "права родителей", "ата-ана құқықтары"],
        keyword: ["parents", "родители", "ата-ана"],
        questions: [
            &[
                "What are parents' rights regarding {t}?",
                "Can parents refuse {t}?",
                "{t} parents duties",
                "Do fathers have a right to {t}?",
                "rights of mothers and {t} {r}",
            ],
            &[
                "Какие права у родителей насчет {t}?",
                "Могут ли родители отказаться от {t}?",
                "{t} обязанности родителей",
                "Есть ли у отцов право на {t}?",
                "права матерей и {t} {r}",
            ],
            &[
                "{t} бойынша ата-ананың құқықтары қандай?",
                "Ата-ана {t} бас тарта ала ма?",
                "{t} ата-ананың міндеттері",
                "Әкелердің {t} құқығы бар ма?",
                "{r} аналардың құқықтары және {t}",
            ],
        ],
    },
    Aspect {
        slug: "deadline",
        title: ["deadlines", "сроки", "мерзімдер"],
        keyword: ["deadline", "сроки", "мерзім"],
        questions: [
            &[
                "When is the deadline for {t} {r}?",
                "{t} deadlines {y}",
                "How long does it take to get {t}?",
                "{t} waiting list {rn}",
                "How many days to wait for {t}?",
            ],
            &[
                "Какой срок подачи на {t} {r}?",
                "{t} сроки {y}",
                "Сколько ждать {t}?",
                "{t} очередь {rn}",
                "Через сколько дней дают {t}?",
            ],
            &[
                "{r} {t} мерзімі қашан бітеді?",
                "{t} мерзімдері {y}",
                "{t} алу үшін қанша күту керек?",
                "{t} кезегі {rn}",
                "{t} неше күнде беріледі?",
            ],
        ],
    },
    Aspect {
        slug: "budget",
        title: ["budget", "бюджет", "бюджет"],
        keyword: ["budget", "бюджет", "бюджет"],
        questions: [
            &[
                "How much money was allocated for {t} in {y}?",
                "{t} budget {rn}",
                "state funding for {t}",
                "Who finances {t} {r}?",
                "{t} spending per child {y}",
            ],
            &[
                "Сколько денег выделили на {t} в {y} году?",
                "{t} бюджет {rn}",
                "госфинансирование {t}",
                "Кто финансирует {t} {r}?",
                "{t} расходы на одного ребенка {y}",
            ],
            &[
                "{y} жылы {t} үшін қанша қаржы бөлінді?",
                "{t} бюджеті {rn}",
                "{t} мемлекеттік қаржыландыру",
                "{r} {t} кім қаржыландырады?",
                "{y} жылы бір балаға {t} шығыны",
            ],
        ],
    },
];

/// Regions and cities of national significance: slug, name, "in the region".
/// The big cities first: they are asked about most.
const REGIONS: &[(T3, T3)] = &[
    (
        ["Almaty", "Алматы", "Алматы"],
        ["in Almaty", "в Алматы", "Алматыда"],
    ),
    (
        ["Astana", "Астана", "Астана"],
        ["in Astana", "в Астане", "Астанада"],
    ),
    (
        ["Shymkent", "Шымкент", "Шымкент"],
        ["in Shymkent", "в Шымкенте", "Шымкентте"],
    ),
    (
        [
            "Karaganda region",
            "Карагандинская область",
            "Қарағанды облысы",
        ],
        [
            "in Karaganda region",
            "в Карагандинской области",
            "Қарағанды облысында",
        ],
    ),
    (
        [
            "Turkistan region",
            "Туркестанская область",
            "Түркістан облысы",
        ],
        [
            "in Turkistan region",
            "в Туркестанской области",
            "Түркістан облысында",
        ],
    ),
    (
        ["Aktobe region", "Актюбинская область", "Ақтөбе облысы"],
        [
            "in Aktobe region",
            "в Актюбинской области",
            "Ақтөбе облысында",
        ],
    ),
    (
        ["Almaty region", "Алматинская область", "Алматы облысы"],
        [
            "in Almaty region",
            "в Алматинской области",
            "Алматы облысында",
        ],
    ),
    (
        ["Atyrau region", "Атырауская область", "Атырау облысы"],
        [
            "in Atyrau region",
            "в Атырауской области",
            "Атырау облысында",
        ],
    ),
    (
        ["Kostanay region", "Костанайская область", "Қостанай облысы"],
        [
            "in Kostanay region",
            "в Костанайской области",
            "Қостанай облысында",
        ],
    ),
    (
        ["Pavlodar region", "Павлодарская область", "Павлодар облысы"],
        [
            "in Pavlodar region",
            "в Павлодарской области",
            "Павлодар облысында",
        ],
    ),
    (
        [
            "Mangystau region",
            "Мангистауская область",
            "Маңғыстау облысы",
        ],
        [
            "in Mangystau region",
            "в Мангистауской области",
            "Маңғыстау облысында",
        ],
    ),
    (
        [
            "Kyzylorda region",
            "Кызылординская область",
            "Қызылорда облысы",
        ],
        [
            "in Kyzylorda region",
            "в Кызылординской области",
            "Қызылорда облысында",
        ],
    ),
    (
        ["Zhambyl region", "Жамбылская область", "Жамбыл облысы"],
        [
            "in Zhambyl region",
            "в Жамбылской области",
            "Жамбыл облысында",
        ],
    ),
    (
        ["Akmola region", "Акмолинская область", "Ақмола облысы"],
        [
            "in Akmola region",
            "в Акмолинской области",
            "Ақмола облысында",
        ],
    ),
    (
        [
            "East Kazakhstan region",
            "Восточно-Казахстанская область",
            "Шығыс Қазақстан облысы",
        ],
        [
            "in East Kazakhstan region",
            "в Восточно-Казахстанской области",
            "Шығыс Қазақстан облысында",
        ],
    ),
    (
        [
            "West Kazakhstan region",
            "Западно-Казахстанская область",
            "Батыс Қазақстан облысы",
        ],
        [
            "in West Kazakhstan region",
            "в Западно-Казахстанской области",
            "Батыс Қазақстан облысында",
        ],
    ),
    (
        [
            "North Kazakhstan region",
            "Северо-Казахстанская область",
            "Солтүстік Қазақстан облысы",
        ],
        [
            "in North Kazakhstan region",
            "в Северо-Казахстанской области",
            "Солтүстік Қазақстан облысында",
        ],
    ),
    (
        ["Abai region", "область Абай", "Абай облысы"],
        ["in Abai region", "в области Абай", "Абай облысында"],
    ),
    (
        ["Zhetysu region", "область Жетысу", "Жетісу облысы"],
        ["in Zhetysu region", "в области Жетысу", "Жетісу облысында"],
    ),
    (
        ["Ulytau region", "область Улытау", "Ұлытау облысы"],
        ["in Ulytau region", "в области Улытау", "Ұлытау облысында"],
    ),
];

/// Towns: the long tail of rare words.
const TOWNS: &[T3] = &[
    ["Semey", "Семей", "Семей"],
    ["Taraz", "Тараз", "Тараз"],
    ["Oskemen", "Усть-Каменогорск", "Өскемен"],
    ["Kokshetau", "Кокшетау", "Көкшетау"],
    ["Taldykorgan", "Талдыкорган", "Талдықорған"],
    ["Ekibastuz", "Экибастуз", "Екібастұз"],
    ["Temirtau", "Темиртау", "Теміртау"],
    ["Zhezkazgan", "Жезказган", "Жезқазған"],
    ["Balkhash", "Балхаш", "Балқаш"],
    ["Rudny", "Рудный", "Рудный"],
    ["Stepnogorsk", "Степногорск", "Степногорск"],
    ["Ridder", "Риддер", "Риддер"],
    ["Zhanaozen", "Жанаозен", "Жаңаөзен"],
    ["Aksu", "Аксу", "Ақсу"],
    ["Kentau", "Кентау", "Кентау"],
    ["Turkistan", "Туркестан", "Түркістан"],
    ["Saryagash", "Сарыагаш", "Сарыағаш"],
    ["Aralsk", "Аральск", "Арал"],
    ["Satpayev", "Сатпаев", "Сәтбаев"],
    ["Shakhtinsk", "Шахтинск", "Шахтинск"],
    ["Lisakovsk", "Лисаковск", "Лисаков"],
    ["Arkalyk", "Аркалык", "Арқалық"],
    ["Shchuchinsk", "Щучинск", "Щучинск"],
    ["Konaev", "Конаев", "Қонаев"],
    ["Esik", "Есик", "Есік"],
    ["Talgar", "Талгар", "Талғар"],
    ["Kaskelen", "Каскелен", "Қаскелең"],
    ["Zharkent", "Жаркент", "Жаркент"],
    ["Ushtobe", "Уштобе", "Үштөбе"],
    ["Atbasar", "Атбасар", "Атбасар"],
    ["Petropavl", "Петропавловск", "Петропавл"],
    ["Oral", "Уральск", "Орал"],
    ["Aktau", "Актау", "Ақтау"],
    ["Kulsary", "Кульсары", "Құлсары"],
    ["Khromtau", "Хромтау", "Хромтау"],
    ["Kandyagash", "Кандыагаш", "Қандыағаш"],
    ["Shalkar", "Шалкар", "Шалқар"],
    ["Aiyagoz", "Аягоз", "Аягөз"],
    ["Zaisan", "Зайсан", "Зайсан"],
    ["Kurchatov", "Курчатов", "Курчатов"],
    ["Karatau", "Каратау", "Қаратау"],
    ["Shu", "Шу", "Шу"],
    ["Baikonur", "Байконур", "Байқоңыр"],
    ["Kazaly", "Казалинск", "Қазалы"],
    ["Zhitikara", "Житикара", "Жітіқара"],
    ["Derzhavinsk", "Державинск", "Державинск"],
    ["Makinsk", "Макинск", "Макинск"],
    ["Ereymentau", "Ерейментау", "Ерейментау"],
    ["Bulaevo", "Булаево", "Булаев"],
    ["Sergeevka", "Сергеевка", "Сергеев"],
];

/// Everyday details that questions and answers mention: more long tail.
const DETAILS: &[T3] = &[
    ["breakfast", "завтрак", "таңғы ас"],
    ["lunch", "обед", "түскі ас"],
    ["certificate", "справка", "анықтама"],
    ["queue", "очередь", "кезек"],
    ["doctor", "врач", "дәрігер"],
    ["nurse", "медсестра", "мейірбике"],
    ["teacher", "учитель", "мұғалім"],
    ["classroom", "класс", "сынып"],
    ["library", "библиотека", "кітапхана"],
    ["computer", "компьютер", "компьютер"],
    ["textbook", "учебник", "оқулық"],
    ["medicine", "лекарство", "дәрі"],
    ["hospital", "больница", "аурухана"],
    ["clinic", "поликлиника", "емхана"],
    ["ambulance", "скорая помощь", "жедел жәрдем"],
    ["court", "суд", "сот"],
    ["lawyer", "юрист", "заңгер"],
    ["notary", "нотариус", "нотариус"],
    ["pension", "пенсия", "зейнетақы"],
    ["salary", "зарплата", "жалақы"],
    ["payment", "выплата", "төлем"],
    ["bank card", "банковская карта", "банк картасы"],
    ["application form", "бланк заявления", "өтініш бланкісі"],
    ["fine", "штраф", "айыппұл"],
    ["inspection", "проверка", "тексеріс"],
    ["commission", "комиссия", "комиссия"],
    ["decree", "постановление", "қаулы"],
    ["programme", "программа", "бағдарлама"],
    ["grant", "грант", "грант"],
    ["quota", "квота", "квота"],
    ["first grade", "первый класс", "бірінші сынып"],
    ["olympiad", "олимпиада", "олимпиада"],
    ["excursion", "экскурсия", "экскурсия"],
    ["museum", "музей", "мұражай"],
    ["theatre", "театр", "театр"],
    ["stadium", "стадион", "стадион"],
    ["swimming pool", "бассейн", "бассейн"],
    ["coach", "тренер", "жаттықтырушы"],
    ["volunteer", "волонтер", "ерікті"],
    ["grandmother", "бабушка", "әже"],
    ["grandfather", "дедушка", "ата"],
    ["twins", "близнецы", "егіздер"],
    ["newborn", "новорожденный", "нәресте"],
    ["pupil", "ученик", "оқушы"],
    ["student", "студент", "студент"],
    ["graduate", "выпускник", "түлек"],
    ["village school", "сельская школа", "ауыл мектебі"],
    ["boarding school", "интернат", "интернат"],
    ["dormitory", "общежитие", "жатақхана"],
    ["public service centre", "ЦОН", "ХҚКО"],
    ["akimat", "акимат", "әкімдік"],
    ["district", "район", "аудан"],
    ["bus stop", "остановка", "аялдама"],
    ["vitamins", "витамины", "дәрумендер"],
    ["allergy", "аллергия", "аллергия"],
    ["glasses", "очки", "көзілдірік"],
    ["wheelchair", "инвалидная коляска", "мүгедектер арбасы"],
    ["speech therapist", "логопед", "логопед"],
    ["tutor", "репетитор", "репетитор"],
    ["mobile phone", "мобильный телефон", "ұялы телефон"],
];

/// Who sets the rules and publishes the figures: name, and (ru, kk) the
/// genitive for "according to".
const ORGS: &[(T3, T3)] = &[
    (
        [
            "Ministry of Education",
            "Министерство просвещения",
            "Оқу-ағарту министрлігі",
        ],
        [
            "Ministry of Education",
            "Министерства просвещения",
            "Оқу-ағарту министрлігінің",
        ],
    ),
    (
        [
            "Ministry of Health",
            "Министерство здравоохранения",
            "Денсаулық сақтау министрлігі",
        ],
        [
            "Ministry of Health",
            "Министерства здравоохранения",
            "Денсаулық сақтау министрлігінің",
        ],
    ),
    (
        [
            "Ministry of Labour and Social Protection",
            "Министерство труда и социальной защиты населения",
            "Еңбек және халықты әлеуметтік қорғау министрлігі",
        ],
        [
            "Ministry of Labour and Social Protection",
            "Министерства труда и социальной защиты населения",
            "Еңбек және халықты әлеуметтік қорғау министрлігінің",
        ],
    ),
    (
        [
            "Bureau of National Statistics",
            "Бюро национальной статистики",
            "Ұлттық статистика бюросы",
        ],
        [
            "Bureau of National Statistics",
            "Бюро национальной статистики",
            "Ұлттық статистика бюросының",
        ],
    ),
    (
        [
            "Ministry of Internal Affairs",
            "Министерство внутренних дел",
            "Ішкі істер министрлігі",
        ],
        [
            "Ministry of Internal Affairs",
            "Министерства внутренних дел",
            "Ішкі істер министрлігінің",
        ],
    ),
    (
        [
            "Ministry of Justice",
            "Министерство юстиции",
            "Әділет министрлігі",
        ],
        [
            "Ministry of Justice",
            "Министерства юстиции",
            "Әділет министрлігінің",
        ],
    ),
    (
        ["local akimat", "местный акимат", "жергілікті әкімдік"],
        ["local akimat", "местного акимата", "жергілікті әкімдіктің"],
    ),
];

/// Answer sentences: {t} theme, {r}/{rn} region, {y} year, {n} a count,
/// {m} millions, {days}, {o}/{og} organisation, {town}, {d} a detail,
/// {p} a person, {num} an order number.
const ANSWERS: [&[&str]; 3] = [
    &[
        "As of 1 January {y}, {n} children {r} used {t}, according to the {o}.",
        "The rules on {t} {r} are set by the {o}.",
        "Parents can apply through the eGov portal or a public service centre; a decision is made within {days} working days.",
        "In {y}, {m} million tenge was allocated to {t} {r}.",
        "Complaints about {t} are handled by the {o} and the Commissioner for Children's Rights.",
        "Every child under 18 has the right to {t}, wherever they live.",
        "In {town}, the district education department deals with this, including the {d}.",
        "Since {y} the rules have been updated twice; the latest changes took effect on 1 September.",
        "The work {r} is coordinated by {p}, head of the department in {town} (order No. {num}).",
        "Order No. {num} of {y} sets the procedure; the person in charge is {p}.",
    ],
    &[
        "По данным {og}, на 1 января {y} года {r} направлением «{t}» воспользовались {n} детей.",
        "Порядок по вопросу «{t}» {r} определяет {o}.",
        "Родители могут подать заявление через портал eGov или в ЦОН; решение принимается в течение {days} рабочих дней.",
        "В {y} году на направление «{t}» {r} выделили {m} млн тенге.",
        "Жалобы по вопросу «{t}» рассматривают {o} и Уполномоченный по правам ребенка.",
        "Право на направление «{t}» есть у всех детей до 18 лет, независимо от места жительства.",
        "В городе {town} этим занимается районный отдел образования; вопрос «{d}» решается там же.",
        "С {y} года правила обновлялись дважды, последние изменения вступили в силу 1 сентября.",
        "Работу {r} координирует {p}, руководитель отдела в городе {town} (приказ № {num}).",
        "Порядок установлен приказом № {num} от {y} года; ответственный — {p}.",
    ],
    &[
        "{og} мәліметінше, {y} жылғы 1 қаңтарда {r} {n} бала «{t}» бағытын пайдаланды.",
        "{r} «{t}» мәселесі бойынша тәртіпті {o} белгілейді.",
        "Ата-аналар eGov порталы немесе ХҚКО арқылы өтініш бере алады; шешім {days} жұмыс күні ішінде қабылданады.",
        "{y} жылы {r} «{t}» бағытына {m} миллион теңге бөлінді.",
        "«{t}» бойынша шағымдарды {o} және Бала құқықтары жөніндегі уәкіл қарайды.",
        "«{t}» құқығы тұрғылықты жеріне қарамастан 18 жасқа толмаған барлық балаларға тиесілі.",
        "{town} қаласында бұл мәселемен аудандық білім бөлімі айналысады, «{d}» мәселесі де сонда шешіледі.",
        "{y} жылдан бері ережелер екі рет жаңартылды, соңғы өзгерістер 1 қыркүйектен бастап күшіне енді.",
        "{r} жұмысты {town} қаласындағы бөлімнің басшысы {p} үйлестіреді (№ {num} бұйрық).",
        "Тәртіп {y} жылғы № {num} бұйрықпен бекітілген; жауапты тұлға — {p}.",
    ],
];

/// Syllables of made-up Kazakh surnames: the long tail of names a real base
/// has. None starts a safety or scope pattern.
const NAME_SYLLABLES: &[&str] = &[
    "ақ",
    "бай",
    "жан",
    "нұр",
    "сұл",
    "тан",
    "ас",
    "қар",
    "мұ",
    "рат",
    "ер",
    "бол",
    "тұр",
    "сын",
    "құл",
    "тілек",
    "әлі",
    "ораз",
    "жақ",
    "сейіт",
    "бек",
    "мұх",
    "әбіл",
    "тоқ",
    "сар",
    "мақ",
    "ғаз",
    "есім",
    "шал",
    "темір",
    "мар",
    "ай",
    "бақ",
    "төле",
    "ұз",
    "жұм",
    "қас",
    "дос",
    "ес",
    "нар",
];
const NAME_ENDINGS: &[&str] = &[
    "ов",
    "ова",
    "ев",
    "ева",
    "ұлы",
    "қызы",
    "бекова",
    "баев",
    "енко",
    "ина",
];
const INITIALS: &[&str] = &["А", "Б", "Г", "Д", "Е", "Ж", "М", "Н", "С", "Т"];

/// A made-up person, "А. Нұрсұлтанова", in each language's spelling.
fn person(rng: &mut Rng) -> [String; 3] {
    let mut kk = String::new();
    for _ in 0..rng.range(2, 3) {
        kk.push_str(rng.pick::<&str>(NAME_SYLLABLES));
    }
    kk.push_str(rng.pick::<&str>(NAME_ENDINGS));
    let kk = cap(&kk);
    let ru: String = kk
        .chars()
        .map(|c| match c {
            'ә' => 'а',
            'ғ' => 'г',
            'қ' => 'к',
            'ң' => 'н',
            'ө' => 'о',
            'ұ' | 'ү' => 'у',
            'һ' => 'х',
            'і' => 'и',
            'Ә' => 'А',
            'Ұ' => 'У',
            'Ө' => 'О',
            other => other,
        })
        .collect();
    let en = cap(&to_latin(&kk, Lang::Kk, rng));
    let initial = *rng.pick(INITIALS);
    let initial_en = cap(&to_latin(initial, Lang::Ru, rng));
    [
        format!("{initial_en}. {en}"),
        format!("{initial}. {ru}"),
        format!("{initial}. {kk}"),
    ]
}

/// Source publishers: name and host (`.example`: the facts are made up).
const PUBLISHERS: &[(&str, &str)] = &[
    ("The Astana Times", "astanatimes.example"),
    ("Kazinform", "inform.example"),
    (
        "Adilet legal database (Ministry of Justice)",
        "adilet.example",
    ),
    ("Bureau of National Statistics", "stat.example"),
    ("eGov.kz", "egov.example"),
    ("Tengrinews", "tengrinews.example"),
    ("Zakon.kz", "zakon.example"),
    ("UNICEF Kazakhstan", "unicef.example"),
];

/// Questions about other countries (the scope patterns catch them).
const OTHER_PLACES: [&[&str]; 3] = [
    &[
        "in Germany",
        "in France",
        "in Turkey",
        "in China",
        "in Russia",
        "in Uzbekistan",
    ],
    &[
        "в Германии",
        "во Франции",
        "в Турции",
        "в России",
        "в Узбекистане",
        "в Китае",
    ],
    &[
        "Германияда",
        "Францияда",
        "Түркияда",
        "Ресейде",
        "Қытайда",
        "Өзбекстанда",
    ],
];

/// Questions the base knows nothing about.
const OFF_TOPIC: [&[&str]; 3] = [
    &[
        "what's the weather in astana tomorrow",
        "best pizza delivery near me",
        "how to fix a flat bicycle tyre",
        "football scores from last night",
        "recipe for beshbarmak with horse meat",
        "convert 100 dollars to tenge",
        "recommend a good series to watch",
        "when does the next train to Almaty leave",
    ],
    &[
        "какая погода завтра в астане",
        "курс доллара на сегодня",
        "рецепт бешбармака из конины",
        "как починить велосипед",
        "во сколько начинается футбол",
        "где купить билеты в кино",
        "посоветуй хороший сериал",
        "когда ближайший поезд до Алматы",
    ],
    &[
        "ертең ауа райы қандай болады",
        "доллар бағамы бүгін қанша",
        "жылқы етінен бешбармақ рецепті",
        "велосипедті қалай жөндеуге болады",
        "кино билеттерін қайдан сатып алуға болады",
        "жақсы телехикая ұсыныңыз",
        "Алматыға келесі пойыз қашан жүреді",
        "футбол қашан басталады",
    ],
];

/// Plain group chatter: messages a bot in a group must not answer.
pub const GROUP_CHATTER: [&[&str]; 3] = [
    &[
        "good morning everyone",
        "who is bringing the cake tomorrow?",
        "the meeting is moved to 18:00",
        "thanks, got it",
        "does anyone have the homework for maths?",
        "see you at the school gate",
        "happy birthday Aruzhan!",
        "ok",
    ],
    &[
        "всем доброе утро",
        "кто завтра приносит торт?",
        "собрание перенесли на 18:00",
        "спасибо, поняла",
        "у кого есть домашка по математике?",
        "встречаемся у ворот школы",
        "с днем рождения, Аружан!",
        "ок",
    ],
    &[
        "бәріне қайырлы таң",
        "ертең торт кім әкеледі?",
        "жиналыс 18:00-ге ауыстырылды",
        "рақмет, түсіндім",
        "математикадан үй тапсырмасы кімде бар?",
        "мектеп қақпасының алдында кездесеміз",
        "туған күніңмен, Аружан!",
        "жарайды",
    ],
];

/// Where `safety.yaml`, `synonyms.yaml` and `scope.yaml` come from.
#[derive(Debug, Clone)]
pub enum Specials<'a> {
    /// Copies them from a knowledge directory (the shipped one, say): the
    /// realistic number of safety and scope patterns.
    CopyFrom(&'a Path),
    /// Small generated ones.
    Minimal,
}

const MIN_SAFETY: &str = "\
safety:
  helplines: helplines
  lead:
    en: You are not alone. Help is close, and you can reach it right now.
    ru: Ты не один и не одна. Помощь рядом, и обратиться можно прямо сейчас.
    kk: Сен жалғыз емессің. Көмек жақын, дәл қазір хабарласуға болады.
  triggers:
    en: [violen*, abus*, bully*, suicid*, beat me, want to die]
    ru: [насили*, буллинг*, травл*, бьют, не хочу жить]
    kk: [зорлық*, буллинг*, ұрады, өлгім*]
";

const MIN_SYNONYMS: &str = "\
synonyms:
  en:
    - [child, children, kid, kids, minor, minors]
    - [kazakhstan, kz, rk]
    - [law, act, legislation]
    - [parent, mother, father, mom, dad]
  ru:
    - [ребенок, дети, детский, несовершеннолетний]
    - [казахстан, рк, кз]
    - [закон, законодательство]
    - [родитель, мама, папа, мать, отец]
  kk:
    - [бала, сәби, перзент]
    - [қазақстан, қр, кз]
    - [заң, заңнама]
    - [ата-ана, әке, шеше]
";

const MIN_SCOPE: &str = "\
scope:
  other_places:
    en: [germany, german*, france, french, turkey, turkish, china, chinese, russia]
    ru: [германи*, немецк*, франци*, турци*, китай*, росси*, узбек*]
    kk: [германия*, неміс*, франция*, түркия*, қытай*, ресей*, өзбек*]
";

/// The files of a synthetic knowledge base of `entries` entries (at least
/// two: `helplines` and `childrens-day-message` are always there), as
/// (file name, text) for [`balabot_core::knowledge::load_files`] or [`write_dir`].
pub fn knowledge_files(
    entries: usize,
    seed: u64,
    specials: &Specials,
) -> io::Result<Vec<(PathBuf, String)>> {
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    match specials {
        Specials::CopyFrom(dir) => {
            for name in ["safety.yaml", "synonyms.yaml", "scope.yaml"] {
                let mut text = std::fs::read_to_string(dir.join(name))?;
                // Its topics are not ours: the helplines' own topic follows
                // them (the default).
                if name == "safety.yaml" {
                    text = text
                        .lines()
                        .filter(|l| !l.trim_start().starts_with("after_helplines:"))
                        .map(|l| format!("{l}\n"))
                        .collect();
                }
                files.push((name.into(), text));
            }
        }
        Specials::Minimal => {
            files.push(("safety.yaml".into(), MIN_SAFETY.into()));
            files.push(("synonyms.yaml".into(), MIN_SYNONYMS.into()));
            files.push(("scope.yaml".into(), MIN_SCOPE.into()));
        }
    }
    files.push(("support.yaml".into(), support_topic()));

    let mut rng = Rng::new(seed);
    let mut by_theme: Vec<String> = vec![String::new(); THEMES.len()];
    for i in 0..entries.saturating_sub(2) {
        let theme = rng.skewed(THEMES.len());
        write_entry(&mut by_theme[theme], &generate_entry(&mut rng, theme, i));
    }
    for (theme, body) in by_theme.into_iter().enumerate() {
        if body.is_empty() {
            continue;
        }
        let (slug, name) = THEMES[theme];
        let mut text = format!(
            "# Synthetic topic (balabot::synthetic, seed {seed}): made-up facts for benchmarks.\n"
        );
        text.push_str(&format!("topic:\n  id: {slug}\n  title:\n"));
        for (l, n) in name.iter().enumerate() {
            let _ = writeln!(text, "    {}: {}", LANGS[l], scalar(&cap(n), false));
        }
        text.push_str("entries:\n");
        text.push_str(&body);
        files.push((format!("{slug}.yaml").into(), text));
    }
    Ok(files)
}

/// Writes files made by [`knowledge_files`] into `dir` (created if needed).
pub fn write_dir(files: &[(PathBuf, String)], dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, text) in files {
        let name = name
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "file without a name"))?;
        std::fs::write(dir.join(name), text)?;
    }
    Ok(())
}

const LANGS: [&str; 3] = ["en", "ru", "kk"];

/// A generated entry before it is written as YAML.
struct Gen {
    id: String,
    title: [String; 3],
    questions: [Vec<String>; 3],
    keywords: [Vec<String>; 3],
    answer: [String; 3],
    sources: Vec<(String, String, String)>,
    as_of: String,
}

fn cap(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn words(s: &str) -> usize {
    s.split_whitespace().count()
}

/// Formats a count the way each language writes it: 12,345 / 12 345.
fn count(n: usize, lang: usize) -> String {
    let digits = n.to_string();
    let sep = if lang == 0 { ',' } else { ' ' };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

fn generate_entry(rng: &mut Rng, theme: usize, i: usize) -> Gen {
    let (theme_slug, theme_name) = THEMES[theme];
    let aspect = rng.pick(ASPECTS);
    let (region, region_in) = REGIONS[rng.skewed(REGIONS.len())];
    let town = *rng.pick(TOWNS);
    let detail = *rng.pick(DETAILS);
    let extra = *rng.pick(DETAILS);
    let (org, org_gen) = *rng.pick(ORGS);
    let year = rng.range(2015, 2025);
    let n = rng.range(120, 250_000);
    let m = rng.range(2, 9_000);
    let days = rng.range(3, 30);
    let who = person(rng);
    let num = rng.range(1, 9_999);
    let fill = |tpl: &str, l: usize| -> String {
        tpl.replace("{t}", theme_name[l])
            .replace("{rn}", region[l])
            .replace("{r}", region_in[l])
            .replace("{y}", &year.to_string())
            .replace("{town}", town[l])
            .replace("{d}", detail[l])
            .replace("{og}", org_gen[l])
            .replace("{o}", org[l])
            .replace("{n}", &count(n, l))
            .replace("{m}", &count(m, l))
            .replace("{days}", &days.to_string())
            .replace("{p}", &who[l])
            .replace("{num}", &num.to_string())
    };

    let id = format!("{theme_slug}-{}-{i:05}", aspect.slug);
    let title = std::array::from_fn(|l| {
        let full = format!(
            "{} — {} ({})",
            cap(theme_name[l]),
            aspect.title[l],
            region[l]
        );
        let short = format!("{} — {}", cap(theme_name[l]), aspect.title[l]);
        let t = if full.chars().count() <= 64 {
            full
        } else {
            short
        };
        t.chars().take(64).collect()
    });
    let questions = std::array::from_fn(|l| {
        let mut tpls: Vec<&str> = aspect.questions[l].to_vec();
        rng.shuffle(&mut tpls);
        tpls.truncate(rng.range(4, 6).min(tpls.len()));
        tpls.iter()
            .map(|tpl| {
                let mut q = fill(tpl, l);
                if words(&q) > 12 {
                    // Long region names: ask without the region.
                    q = fill(&tpl.replace(" {r}", "").replace("{r} ", ""), l);
                }
                // Now and then a question names a town, a detail or a
                // person: the long tail of rare words.
                let tail = match rng.below(3) {
                    0 => town[l],
                    1 => extra[l],
                    _ => who[l].rsplit(' ').next().unwrap_or_default(),
                };
                if rng.chance(0.25) && words(&q) + words(tail) <= 12 {
                    let end = q.trim_end_matches('?').to_string();
                    q = if q.ends_with('?') {
                        format!("{end} {tail}?")
                    } else {
                        format!("{end} {tail}")
                    };
                }
                if words(&q) < 3 {
                    q = format!("{q} {}", region[l]);
                }
                q
            })
            .collect()
    });
    let named = rng.chance(0.3);
    let keywords = std::array::from_fn(|l| {
        let mut k = vec![
            theme_name[l].to_string(),
            aspect.keyword[l].to_string(),
            region[l].to_string(),
            town[l].to_string(),
            detail[l].to_string(),
            year.to_string(),
        ];
        if named {
            k.push(who[l].clone());
        }
        k
    });
    let mut picks: Vec<usize> = (0..ANSWERS[0].len()).collect();
    rng.shuffle(&mut picks);
    picks.truncate(rng.range(2, 4));
    let answer = std::array::from_fn(|l| {
        picks
            .iter()
            .map(|&p| cap(&fill(ANSWERS[l][p], l)))
            .collect::<Vec<_>>()
            .join(" ")
    });
    let mut sources = Vec::new();
    for s in 0..rng.range(1, 3) {
        let (name, host) = *rng.pick(PUBLISHERS);
        let (month, day) = (rng.range(1, 12), rng.range(1, 28));
        sources.push((
            name.to_string(),
            format!("https://{host}/{year}/{month:02}/{id}-{s}/"),
            format!("{year}-{month:02}-{day:02}"),
        ));
    }
    Gen {
        id,
        title,
        questions,
        keywords,
        answer,
        sources,
        as_of: format!("{year}-01-01"),
    }
}

/// The two entries every base needs: the helplines block and the 1 June
/// greeting.
fn support_topic() -> String {
    let helplines = Gen {
        id: "helplines".into(),
        title: [
            "Helplines".into(),
            "Телефоны доверия".into(),
            "Сенім телефондары".into(),
        ],
        questions: [
            vec![
                "What is the children's helpline number?".into(),
                "helpline for kids".into(),
                "Who can I call if I need help?".into(),
                "emergency numbers in Kazakhstan".into(),
            ],
            vec![
                "Какой номер детского телефона доверия?".into(),
                "телефон доверия для детей".into(),
                "Куда позвонить, если нужна помощь?".into(),
                "экстренные номера в Казахстане".into(),
            ],
            vec![
                "Балалар сенім телефонының нөмірі қандай?".into(),
                "балаларға арналған сенім телефоны".into(),
                "Көмек керек болса, қайда қоңырау шалуға болады?".into(),
                "Қазақстандағы шұғыл нөмірлер".into(),
            ],
        ],
        keywords: [
            vec!["helpline".into(), "111".into(), "112".into()],
            vec!["телефон доверия".into(), "111".into(), "112".into()],
            vec!["сенім телефоны".into(), "111".into(), "112".into()],
        ],
        answer: [
            "Call 111, the free children's helpline, any time. In an emergency call 112.".into(),
            "Звони 111 — бесплатный детский телефон доверия, круглосуточно. В экстренной ситуации звони 112.".into(),
            "111 нөміріне қоңырау шал — тегін балалар сенім телефоны, тәулік бойы. Төтенше жағдайда 112 нөміріне қоңырау шал.".into(),
        ],
        sources: vec![(
            "Commissioner for Children's Rights".into(),
            "https://ombudsman.example/helplines/".into(),
            "2024-06-01".into(),
        )],
        as_of: String::new(),
    };
    let greeting = Gen {
        id: "childrens-day-message".into(),
        title: [
            "Children's Day greeting".into(),
            "Поздравление с Днем защиты детей".into(),
            "Балаларды қорғау күнімен құттықтау".into(),
        ],
        questions: [
            vec![
                "Happy Children's Day greeting".into(),
                "What is the greeting for 1 June?".into(),
                "children's day message".into(),
                "congratulations for children on 1 June".into(),
            ],
            vec![
                "Поздравление с Днем защиты детей".into(),
                "Что пожелать детям 1 июня?".into(),
                "поздравление на 1 июня".into(),
                "открытка ко дню защиты детей".into(),
            ],
            vec![
                "Балаларды қорғау күнімен құттықтау".into(),
                "1 маусымда балаларға не тілеуге болады?".into(),
                "1 маусым құттықтауы".into(),
                "балалар күніне арналған ашықхат".into(),
            ],
        ],
        keywords: [
            vec!["greeting".into(), "1 June".into()],
            vec!["поздравление".into(), "1 июня".into()],
            vec!["құттықтау".into(), "1 маусым".into()],
        ],
        answer: [
            "Happy International Children's Day! Every child has the right to be safe, to learn and to be heard. If you need help, call 111.".into(),
            "С Международным днем защиты детей! Каждый ребенок имеет право на безопасность, образование и на то, чтобы его услышали. Если нужна помощь, звони 111.".into(),
            "Халықаралық балаларды қорғау күні құтты болсын! Әр баланың қауіпсіздікке, білімге және өз пікірін айтуға құқығы бар. Көмек керек болса, 111 нөміріне қоңырау шал.".into(),
        ],
        sources: vec![(
            "United Nations".into(),
            "https://un.example/childrens-day/".into(),
            "2024-06-01".into(),
        )],
        as_of: String::new(),
    };
    let mut text = String::from(
        "# Synthetic topic (balabot::synthetic): the helplines block and the 1 June greeting.\n\
         topic:\n  id: support\n  title:\n    en: Help and greetings\n    ru: Помощь и поздравления\n    kk: Көмек және құттықтаулар\nentries:\n",
    );
    write_entry(&mut text, &helplines);
    write_entry(&mut text, &greeting);
    text
}

/// A YAML scalar: plain when that is unambiguous, else double-quoted
/// (JSON string syntax is valid YAML). `flow`: inside `[...]`.
fn scalar(s: &str, flow: bool) -> String {
    let plain = s
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '«')
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':')
        && s.chars()
            .all(|c| c.is_alphanumeric() || " -–—'’.?()«»№!/".contains(c) || (!flow && c == ','))
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "null" | "on" | "off" | "y" | "n"
        );
    if plain {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_default()
    }
}

/// Folded block lines (`>-`) of at most about 100 characters.
fn folded(text: &str, indent: &str, out: &mut String) {
    let mut line = String::new();
    for w in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + w.chars().count() > 100 {
            let _ = writeln!(out, "{indent}{line}");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(w);
    }
    if !line.is_empty() {
        let _ = writeln!(out, "{indent}{line}");
    }
}

fn write_entry(out: &mut String, e: &Gen) {
    let _ = writeln!(out, "  - id: {}", e.id);
    out.push_str("    title:\n");
    for (l, t) in e.title.iter().enumerate() {
        let _ = writeln!(out, "      {}: {}", LANGS[l], scalar(t, false));
    }
    out.push_str("    questions:\n");
    for (l, qs) in e.questions.iter().enumerate() {
        let _ = writeln!(out, "      {}:", LANGS[l]);
        for q in qs {
            let _ = writeln!(out, "        - {}", scalar(q, false));
        }
    }
    out.push_str("    keywords:\n");
    for (l, ks) in e.keywords.iter().enumerate() {
        let items: Vec<String> = ks.iter().map(|k| scalar(k, true)).collect();
        let _ = writeln!(out, "      {}: [{}]", LANGS[l], items.join(", "));
    }
    out.push_str("    answer:\n");
    for (l, a) in e.answer.iter().enumerate() {
        let _ = writeln!(out, "      {}: >-", LANGS[l]);
        folded(a, "        ", out);
    }
    out.push_str("    sources:\n");
    for (name, url, date) in &e.sources {
        let _ = writeln!(out, "      - name: {}", scalar(name, false));
        let _ = writeln!(out, "        url: {url}");
        let _ = writeln!(out, "        date: {date}");
    }
    if !e.as_of.is_empty() {
        let _ = writeln!(out, "    as_of: {}", e.as_of);
    }
    out.push('\n');
}

// ---- questions ----

/// How a question of a mix is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuestionKind {
    /// An example question of an entry, as written.
    Exact,
    /// An example with its words reordered and one or two dropped.
    Paraphrase,
    /// An example with one or two letters changed.
    Typo,
    /// A Russian or Kazakh example typed in Latin letters.
    Translit,
    /// About another country, or about something else entirely.
    OutOfScope,
}

impl QuestionKind {
    pub const ALL: [QuestionKind; 5] = [
        QuestionKind::Exact,
        QuestionKind::Paraphrase,
        QuestionKind::Typo,
        QuestionKind::Translit,
        QuestionKind::OutOfScope,
    ];

    pub fn name(self) -> &'static str {
        match self {
            QuestionKind::Exact => "exact",
            QuestionKind::Paraphrase => "paraphrase",
            QuestionKind::Typo => "typo",
            QuestionKind::Translit => "translit",
            QuestionKind::OutOfScope => "out_of_scope",
        }
    }
}

/// A generated question.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub kind: QuestionKind,
    pub lang: Lang,
    pub text: String,
    /// The entry whose example it was made from (none when out of scope).
    pub entry: Option<usize>,
}

/// `n` questions of one kind about the entries of `kb` (any base).
pub fn questions(kb: &Knowledge, kind: QuestionKind, n: usize, seed: u64) -> Vec<Question> {
    let mut rng = Rng::new(seed ^ (kind as u64 + 1).wrapping_mul(0x2545_F491_4F6C_DD1D));
    (0..n).map(|_| question(kb, kind, &mut rng)).collect()
}

/// `n` questions cycling through every [`QuestionKind`].
pub fn question_mix(kb: &Knowledge, n: usize, seed: u64) -> Vec<Question> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|i| question(kb, QuestionKind::ALL[i % QuestionKind::ALL.len()], &mut rng))
        .collect()
}

/// Group chatter in `lang`, for load tests: the bot must stay silent.
pub fn chatter(lang: Lang, rng: &mut Rng) -> &'static str {
    rng.pick::<&'static str>(GROUP_CHATTER[idx(lang)])
}

fn question(kb: &Knowledge, kind: QuestionKind, rng: &mut Rng) -> Question {
    let lang = match kind {
        QuestionKind::Translit => {
            if rng.chance(0.5) {
                Lang::Ru
            } else {
                Lang::Kk
            }
        }
        _ => Lang::ALL[rng.below(3)],
    };
    let entry = rng.below(kb.entries.len());
    let examples = kb.entries[entry].questions.get(lang);
    let example = if examples.is_empty() {
        kb.entries[entry].title.get(lang).as_str()
    } else {
        rng.pick(examples).as_str()
    };
    let (text, entry) = match kind {
        QuestionKind::Exact => (example.to_string(), Some(entry)),
        QuestionKind::Paraphrase => (paraphrase(example, rng), Some(entry)),
        QuestionKind::Typo => (typo(example, lang, rng), Some(entry)),
        QuestionKind::Translit => (to_latin(example, lang, rng), Some(entry)),
        QuestionKind::OutOfScope => {
            if rng.chance(0.5) {
                let place = rng.pick(OTHER_PLACES[idx(lang)]);
                let q = example.trim_end_matches('?');
                (format!("{q} {place}?"), None)
            } else {
                (rng.pick(OFF_TOPIC[idx(lang)]).to_string(), None)
            }
        }
    };
    Question {
        kind,
        lang,
        text,
        entry,
    }
}

/// Drops one or two words (keeping at least two) and shuffles the rest a bit.
fn paraphrase(q: &str, rng: &mut Rng) -> String {
    let mut ws: Vec<String> = q
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| matches!(c, '?' | '!' | ',' | '.'))
                .to_string()
        })
        .filter(|w| !w.is_empty())
        .collect();
    let drops = if ws.len() >= 6 { 2 } else { 1 };
    for _ in 0..drops {
        if ws.len() > 2 {
            ws.remove(rng.below(ws.len()));
        }
    }
    for _ in 0..ws.len() / 2 + 1 {
        let (a, b) = (rng.below(ws.len()), rng.below(ws.len()));
        ws.swap(a, b);
    }
    ws.join(" ").to_lowercase()
}

const LATIN_LETTERS: &[char] = &[
    'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'k', 'l', 'm', 'n', 'o', 'p', 'r', 's', 't', 'u',
    'v', 'w', 'y', 'z',
];
const RU_LETTERS: &[char] = &[
    'а', 'б', 'в', 'г', 'д', 'е', 'ж', 'з', 'и', 'к', 'л', 'м', 'н', 'о', 'п', 'р', 'с', 'т', 'у',
    'ф', 'х', 'ч', 'ш', 'ы', 'я',
];
const KK_LETTERS: &[char] = &[
    'а', 'ә', 'б', 'г', 'ғ', 'д', 'е', 'ж', 'з', 'і', 'к', 'қ', 'л', 'м', 'н', 'ң', 'о', 'ө', 'р',
    'с', 'т', 'у', 'ұ', 'ү', 'ы',
];

/// Changes one or two letters in words of four letters or more.
fn typo(q: &str, lang: Lang, rng: &mut Rng) -> String {
    // Two changes may cancel out (a swap done twice): then try again.
    for _ in 0..8 {
        let t = typo_once(q, lang, rng);
        if t != q {
            return t;
        }
    }
    q.to_string()
}

fn typo_once(q: &str, lang: Lang, rng: &mut Rng) -> String {
    let mut ws: Vec<Vec<char>> = q.split_whitespace().map(|w| w.chars().collect()).collect();
    let long: Vec<usize> = (0..ws.len())
        .filter(|&i| ws[i].iter().filter(|c| c.is_alphabetic()).count() >= 4)
        .collect();
    if long.is_empty() {
        return q.to_string();
    }
    let alphabet = match lang {
        Lang::En => LATIN_LETTERS,
        Lang::Ru => RU_LETTERS,
        Lang::Kk => KK_LETTERS,
    };
    for _ in 0..rng.range(1, 2) {
        let w = &mut ws[*rng.pick(&long)];
        let letters: Vec<usize> = (1..w.len()).filter(|&i| w[i].is_alphabetic()).collect();
        if letters.is_empty() {
            continue;
        }
        let at = *rng.pick(&letters);
        if rng.chance(0.3) && at + 1 < w.len() && w[at + 1].is_alphabetic() && w[at + 1] != w[at] {
            w.swap(at, at + 1);
        } else {
            let was = w[at].to_lowercase().next().unwrap_or(w[at]);
            let mut now = *rng.pick(alphabet);
            if now == was {
                now = alphabet
                    [(alphabet.iter().position(|&c| c == now).unwrap_or(0) + 1) % alphabet.len()];
            }
            w[at] = now;
        }
    }
    ws.iter()
        .map(|w| w.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Russian or Kazakh in Latin letters, as people type it without a keyboard
/// layout: lower case, no «», қ as q, ш as sh, ы as y...
fn to_latin(q: &str, lang: Lang, rng: &mut Rng) -> String {
    let kk = lang == Lang::Kk;
    let mut out = String::with_capacity(q.len());
    for c in q.to_lowercase().chars() {
        let s: &str = match c {
            'а' => "a",
            'ә' => "a",
            'б' => "b",
            'в' => "v",
            'г' => "g",
            'ғ' => "g",
            'д' => "d",
            'е' => "e",
            'ё' => "yo",
            'ж' => "zh",
            'з' => "z",
            'и' => "i",
            'й' => {
                if rng.chance(0.5) {
                    "i"
                } else {
                    "y"
                }
            }
            'і' => "i",
            'к' => "k",
            'қ' => "q",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'ң' => "ng",
            'о' => "o",
            'ө' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ұ' | 'ү' => "u",
            'ф' => "f",
            'х' => {
                if kk {
                    "h"
                } else {
                    "kh"
                }
            }
            'һ' => "h",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ъ' | 'ь' => "",
            'ы' => "y",
            'э' => "e",
            'ю' => "yu",
            'я' => "ya",
            '«' | '»' | '“' | '”' => "",
            _ => {
                out.push(c);
                continue;
            }
        };
        out.push_str(s);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use balabot_core::knowledge::load_files;

    fn shipped() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../knowledge")
    }

    #[test]
    fn generated_bases_load_with_either_kind_of_special_files() {
        for specials in [Specials::Minimal, Specials::CopyFrom(&shipped())] {
            let files = knowledge_files(300, 1, &specials).unwrap();
            let kb = load_files(&files).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(kb.entries.len(), 300);
            assert!(kb.entry("helplines").is_some());
            for e in &kb.entries {
                for lang in Lang::ALL {
                    assert!((4..=6).contains(&e.questions.get(lang).len()), "{}", e.id);
                    for q in e.questions.get(lang) {
                        assert!((3..=12).contains(&words(q)), "{q:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn same_seed_same_output() {
        let a = knowledge_files(150, 42, &Specials::Minimal).unwrap();
        let b = knowledge_files(150, 42, &Specials::Minimal).unwrap();
        let c = knowledge_files(150, 43, &Specials::Minimal).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        let kb = load_files(&a).unwrap();
        assert_eq!(question_mix(&kb, 50, 9), question_mix(&kb, 50, 9));
        assert_ne!(question_mix(&kb, 50, 9), question_mix(&kb, 50, 10));
    }

    #[test]
    fn question_kinds_look_like_their_names() {
        let kb = load_files(&knowledge_files(100, 3, &Specials::Minimal).unwrap()).unwrap();
        for q in questions(&kb, QuestionKind::Translit, 30, 5) {
            assert!(q.lang != Lang::En);
            assert!(
                !q.text.chars().any(balabot_core::text::is_cyrillic),
                "{q:?}"
            );
        }
        for q in questions(&kb, QuestionKind::Typo, 30, 5) {
            let e = &kb.entries[q.entry.unwrap()];
            assert!(!e.questions.get(q.lang).contains(&q.text), "{q:?}");
        }
        assert!(
            questions(&kb, QuestionKind::OutOfScope, 30, 5)
                .iter()
                .all(|q| q.entry.is_none())
        );
    }
}
