//! UI strings of the default theme, in Chinese (zh, zh-CN, zh-Hans) and
//! English, chosen by `language` in config.toml. Templates read them as `t.KEY`.

use std::collections::BTreeMap;

use crate::config::Lang;

const STRINGS: &[(&str, &str, &str)] = &[
    ("home", "首页", "Home"),
    ("search", "搜索", "Search"),
    (
        "search_placeholder",
        "搜索制度、岗位、条款…",
        "Search charters, roles, articles…",
    ),
    ("search_results", "搜索结果", "Search results"),
    (
        "search_none",
        "没有找到包含该词的内容。",
        "Nothing contains that.",
    ),
    (
        "search_noscript",
        "搜索需要启用 JavaScript。",
        "Search needs JavaScript.",
    ),
    ("search_count", "找到 {n} 个结果", "{n} results"),
    ("search_all", "查看全部 {n} 个结果", "All {n} results"),
    ("search_more", "显示更多结果", "More results"),
    (
        "search_error",
        "搜索索引加载失败。",
        "The search index could not be loaded.",
    ),
    ("contents", "目录", "Contents"),
    ("roles", "岗位设置", "Roles"),
    ("role", "岗位", "Role"),
    ("reports_to", "上级岗位", "Reports to"),
    ("direct_reports", "直接下级", "Direct reports"),
    ("chain", "汇报路线", "Reporting chain"),
    ("headcount", "编制", "Headcount"),
    ("department", "部门", "Department"),
    ("departments", "部门", "Departments"),
    ("pages", "页面", "Pages"),
    ("status", "状态", "Status"),
    ("effective", "施行日期", "Effective"),
    ("revised", "修订日期", "Revised"),
    ("version", "版本", "Version"),
    ("doc_number", "文号", "Document no."),
    ("issuer", "发布部门", "Issued by"),
    ("tags", "标签", "Tags"),
    ("status_active", "现行有效", "In force"),
    ("status_trial", "试行", "Trial"),
    ("status_superseded", "已被替代", "Superseded"),
    ("status_repealed", "已废止", "Repealed"),
    (
        "banner_trial",
        "本制度为试行版本，试行期间如有问题请及时反馈。",
        "This charter is on trial.",
    ),
    (
        "banner_superseded",
        "本制度已被新版本替代，仅供查阅。",
        "This charter has been superseded and is kept for reference.",
    ),
    (
        "banner_repealed",
        "本制度已废止，仅供查阅。",
        "This charter has been repealed and is kept for reference.",
    ),
    ("parent", "上级部门", "Part of"),
    ("sub_departments", "下属部门", "Sub-units"),
    ("group", "分组", "Group"),
    ("role_index", "岗位索引", "Role index"),
    ("matrix", "责任矩阵", "Responsibility matrix"),
    ("org_chart", "组织架构", "Organization chart"),
    ("backlinks", "引用本页的页面", "Pages that link here"),
    ("duties", "岗位职责", "Duties"),
    ("activities", "承担的工作", "Activities"),
    ("activity", "工作事项", "Activity"),
    ("clause", "条款", "Article"),
    ("legend", "图例", "Legend"),
    ("load", "承担事项数", "Load"),
    ("download_csv", "下载 CSV", "Download CSV"),
    ("filter_roles", "筛选岗位…", "Filter roles…"),
    ("none", "无", "None"),
    ("top", "最高层", "Top"),
    ("not_found", "页面不存在", "Page not found"),
    (
        "not_found_text",
        "您要找的页面不存在，可能已被移动或删除。",
        "The page you are looking for does not exist; it may have moved.",
    ),
    ("back_home", "返回首页", "Back to the home page"),
    ("skip", "跳到正文", "Skip to content"),
    ("menu", "菜单", "Menu"),
    ("browse", "部门导航", "Departments"),
    ("nav_all", "全部部门", "All departments"),
    ("site_links", "站点导航", "Site"),
    ("breadcrumbs", "当前位置", "Breadcrumb"),
    ("other_departments", "其他", "Other"),
    ("print", "打印版", "Printable edition"),
    ("changes", "修订记录", "Changes"),
    (
        "changes_intro",
        "各项制度按修订日期排列，最近修订的在前；未修订的按施行日期排在其后。",
        "Charters by the date of their last revision, most recent first; those never revised follow, by the date they took effect.",
    ),
    (
        "changes_more",
        "另有较早的 {n} 项未列出，见各制度页面上的日期。",
        "{n} older ones are not listed; each charter's page shows its dates.",
    ),
    ("charter", "制度", "Charter"),
    ("edition", "修订截至", "Revised to"),
    (
        "print_note",
        "本页汇集全部制度，供打印：使用浏览器的“打印”（Ctrl+P）即可打印或另存为 PDF，纸张 A4。",
        "Every charter on one page, for printing: use your browser's Print (Ctrl+P) to print it or save it as PDF, on A4 paper.",
    ),
    ("print_contents", "目　录", "Contents"),
    (
        "print_note_volumes",
        "制度较多，按分组分册打印：打开一册，使用浏览器的“打印”（Ctrl+P）即可打印或另存为 PDF，纸张 A4。",
        "The handbook prints in volumes, one per group: open a volume and use your browser's Print (Ctrl+P) to print it or save it as PDF, on A4 paper.",
    ),
    (
        "print_note_volume",
        "本页汇集本册全部制度，供打印：使用浏览器的“打印”（Ctrl+P）即可打印或另存为 PDF，纸张 A4。",
        "Every charter of this volume on one page, for printing: use your browser's Print (Ctrl+P) to print it or save it as PDF, on A4 paper.",
    ),
    ("print_volumes", "全部分册", "All volumes"),
    ("print_top_volume", "综合", "General"),
    ("role_department", "岗位所属部门", "Role's department"),
    ("letter", "职责", "Letter"),
    ("colon", "：", ": "),
    ("roles_count", "个岗位", "roles"),
];

/// Words of the split role index and org chart (templates read them as
/// `ts.KEY`).
const SPLIT_STRINGS: &[(&str, &str, &str)] = &[
    ("parts", "按一级分组", "By top-level group"),
    ("by_initial", "按首字母", "By initial"),
    ("all_parts", "全部分组", "All groups"),
    ("matches", "个匹配岗位", "matching roles"),
    ("first", "显示前", "showing the first"),
    ("find_all", "在全部分组中查找", "Find in all groups"),
    (
        "roles_note",
        "岗位较多，索引按一级分组分页；下面的筛选框查找全部分组的岗位。",
        "This index has one page per top-level group; the filter below searches all of them.",
    ),
    (
        "org_note",
        "组织较大，架构图按一级分组分页。",
        "The chart has one page per top-level group.",
    ),
    ("cross", "向其他分组汇报", "Reporting to other groups"),
    (
        "cross_in",
        "其他分组向本组汇报",
        "Reporting from other groups",
    ),
    ("top_roles", "最高岗位", "Top roles"),
    ("direct_reports", "直接下属", "direct reports"),
    ("below", "全部下属", "all below"),
    ("more", "还有", "more:"),
    ("loading", "正在载入…", "Loading…"),
];

/// A table's strings for a language.
fn pick(
    table: &[(&'static str, &'static str, &'static str)],
    lang: Lang,
) -> BTreeMap<&'static str, &'static str> {
    table
        .iter()
        .map(|&(k, zh, en)| (k, if lang == Lang::En { en } else { zh }))
        .collect()
}

/// The UI strings for a language.
pub fn strings(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    pick(STRINGS, lang)
}

/// The words of the split role index and org chart for a language.
pub fn split_strings(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    pick(SPLIT_STRINGS, lang)
}

/// Default labels of the responsibility letters (spec §9).
pub fn letter_labels(lang: Lang) -> BTreeMap<String, String> {
    let pairs: &[(&str, &str, &str)] = &[
        ("R", "执行", "Responsible"),
        ("A", "负责", "Accountable"),
        ("S", "支持", "Support"),
        ("C", "咨询", "Consulted"),
        ("I", "知会", "Informed"),
    ];
    pairs
        .iter()
        .map(|&(k, zh, en)| {
            (
                k.to_string(),
                (if lang == Lang::En { en } else { zh }).to_string(),
            )
        })
        .collect()
}

/// The `lang` attribute of `<html>`.
pub fn html_lang(language: &str) -> &'static str {
    match language {
        "en" => "en",
        "zh-Hans" => "zh-Hans",
        _ => "zh-CN",
    }
}
