/*
 * CyberTipline XML (shared/spec/cybertip.md): NCMEC `report` and
 * `fileDetails` elements in our `cybertip` envelope, one a file or many in a
 * `cybertipBatch`. Streamed with expat, the only file that includes expat.h:
 * a record is mapped to the contract as its elements end, so memory is
 * bounded by one record, never by the file.
 *
 * Hostile input: a DOCTYPE stops the parser at its first token (no DTD, so
 * no entity but the five predefined ones and character references: no XXE,
 * no billion laughs); processing instructions, another encoding than UTF-8,
 * too deep, too many elements, too many bytes in a record or too long a text
 * node stop reading the file. Identifiers are turned into tokens with the
 * unit's key as they are read; no raw identifier is kept, printed or handed
 * over (a rejected record's "raw" text is its position and content hash).
 */
#include "ingest-internal.h"

#include "reftriage/alloc.h"
#include "reftriage/text.h"
#include "reftriage/timeutil.h"
#include "reftriage/token.h"

#include <strings.h>
#include <expat.h>

#define XML_MAX_DEPTH    32
#define XML_MAX_ELEMENTS 200000
#define XML_MAX_TEXT     (1024 * 1024)

/* Where an element is: what may appear in it. */
enum xctx {
	X_DOC,
	X_BATCH,
	X_CT,
	X_REPORT,
	X_SUMMARY,
	X_RANNOT,
	X_INET,
	X_POUR,
	X_PERSON,
	X_ACCOUNT,
	X_IPCE,
	X_DEVICE,
	X_VICTIM,
	X_VPERSON,
	X_FILE,
	X_FANNOT,
	X_LAWENF,  /* report/lawEnforcement */
	X_LEAF,    /* text only */
	X_SKIP,    /* known, not used: its content is not looked at */
	X_BATCHED, /* report/batchedReport: an attribute only */
	X_NCTX
};

/* What the end of a text element does with its text. */
enum xact {
	A_NONE,
	A_INCIDENT_TYPE,
	A_ESCALATE,
	A_INCIDENT_AT,
	A_RFLAG, /* a report annotation: field */
	A_SEXTORTION,
	A_FFLAG, /* a file annotation: field */
	A_SELFPROD,
	A_AGE,
	A_DOB,
	A_ESP_ID,
	A_ESP_SERVICE,
	A_SCREEN,
	A_URL,
	A_PRIOR,
	A_EMAIL,
	A_PHONE,
	A_IP,
	A_IDTYPE,
	A_IDVALUE,
	A_VAGE,
	A_FD_REPORTID,
	A_VIEWED,
	A_PUBLIC,
	A_RELEVANCE,
	A_MEME,
	A_CLASS,
	A_P2P, /* on start: a peer-to-peer incident */
	A_LE_AGENCY,
	A_LE_CASE,
};

enum { R_SINGLE = 1, R_IDENT = 2 };

struct row {
	const char *name;
	uint8_t ctx;  /* the element's own context */
	uint8_t act;  /* for X_LEAF (and A_P2P) */
	uint8_t flag; /* R_ */
	int8_t field; /* contract field for A_RFLAG, A_FFLAG */
};

#define LEAF(n, a, f)                                                                              \
	{                                                                                          \
		n, X_LEAF, a, f, -1                                                                \
	}
#define SKIP(n)                                                                                    \
	{                                                                                          \
		n, X_SKIP, A_NONE, 0, -1                                                           \
	}
#define SKIP1(n)                                                                                   \
	{                                                                                          \
		n, X_SKIP, A_NONE, R_SINGLE, -1                                                    \
	}
#define FLAG(n, a, fld)                                                                            \
	{                                                                                          \
		n, X_LEAF, a, R_SINGLE, fld                                                        \
	}
#define IN(n, c, f)                                                                                \
	{                                                                                          \
		n, c, A_NONE, f, -1                                                                \
	}

static const struct row ct_rows[] = {IN("report", X_REPORT, R_SINGLE),
                                     IN("fileDetails", X_FILE, 0)};
static const struct row report_rows[] = {IN("batchedReport", X_BATCHED, R_SINGLE),
                                         IN("incidentSummary", X_SUMMARY, R_SINGLE),
                                         IN("internetDetails", X_INET, 0),
                                         IN("lawEnforcement", X_LAWENF, R_SINGLE),
                                         SKIP1("reporter"),
                                         IN("personOrUserReported", X_POUR, 0),
                                         SKIP("intendedRecipient"),
                                         IN("victim", X_VICTIM, 0),
                                         SKIP1("additionalInfo")};
static const struct row summary_rows[] = {LEAF("incidentType", A_INCIDENT_TYPE, R_SINGLE),
                                          LEAF("platform", A_NONE, R_SINGLE),
                                          LEAF("escalateToHighPriority", A_ESCALATE, R_SINGLE),
                                          IN("reportAnnotations", X_RANNOT, R_SINGLE),
                                          LEAF("incidentDateTime", A_INCIDENT_AT, R_SINGLE),
                                          SKIP1("incidentDateTimeDescription")};
static const struct row rannot_rows[] = {
    FLAG("sextortion", A_SEXTORTION, -1),
    FLAG("csamSolicitation", A_RFLAG, F_ESP_CSAM_SOLICITATION),
    FLAG("minorToMinorInteraction", A_RFLAG, F_ESP_MINOR_TO_MINOR_INTERACTION),
    FLAG("spam", A_RFLAG, F_ESP_SPAM),
    FLAG("sadisticOnlineExploitation", A_RFLAG, F_ESP_SADISTIC_ONLINE_EXPLOITATION)};
static const struct row inet_rows[] = {
    SKIP("webPageIncident"),      SKIP("emailIncident"),
    SKIP("newsgroupIncident"),    SKIP("chatImIncident"),
    SKIP("onlineGamingIncident"), SKIP("cellPhoneIncident"),
    SKIP("nonInternetIncident"),  {"peer2peerIncident", X_SKIP, A_P2P, 0, -1}};
/* personOrUserReported and the associatedAccounts whose identifiers count. */
static const struct row pour_rows[] = {IN("personOrUserReportedPerson", X_PERSON, R_SINGLE),
                                       SKIP1("vehicleDescription"),
                                       LEAF("espIdentifier", A_ESP_ID, R_SINGLE | R_IDENT),
                                       LEAF("espService", A_ESP_SERVICE, R_SINGLE),
                                       LEAF("compromisedAccount", A_NONE, R_SINGLE),
                                       LEAF("screenName", A_SCREEN, R_SINGLE | R_IDENT),
                                       SKIP("displayName"),
                                       LEAF("profileUrl", A_URL, R_IDENT),
                                       SKIP1("profileBio"),
                                       IN("ipCaptureEvent", X_IPCE, 0),
                                       IN("deviceId", X_DEVICE, 0),
                                       LEAF("thirdPartyUserReported", A_NONE, R_SINGLE),
                                       LEAF("priorCTReports", A_PRIOR, 0),
                                       SKIP1("groupIdentifier"),
                                       SKIP1("accountTemporarilyDisabled"),
                                       SKIP1("accountPermanentlyDisabled"),
                                       SKIP1("estimatedLocation"),
                                       SKIP1("allEmailsReported"),
                                       IN("associatedAccount", X_ACCOUNT, 0),
                                       SKIP1("additionalInfo")};
/*
 * The provider's report to law enforcement: the agency and its case number
 * become le_agency and le_case (cybertip.md); the officer's contact and the
 * rest are personal details or free text, dropped unread.
 */
static const struct row lawenf_rows[] = {LEAF("agencyName", A_LE_AGENCY, R_SINGLE),
                                         LEAF("caseNumber", A_LE_CASE, R_SINGLE),
                                         SKIP1("officerContact"),
                                         SKIP1("reportedToLe"),
                                         SKIP1("servedLegalProcessDomestic"),
                                         SKIP1("servedLegalProcessInternational")};
static const struct row person_rows[] = {SKIP1("firstName"),
                                         SKIP1("lastName"),
                                         LEAF("phone", A_PHONE, R_IDENT),
                                         LEAF("email", A_EMAIL, R_IDENT),
                                         SKIP("address"),
                                         LEAF("age", A_AGE, R_SINGLE),
                                         LEAF("dateOfBirth", A_DOB, R_SINGLE | R_IDENT)};
static const struct row account_rows[] = {SKIP1("platform"),
                                          SKIP1("firstName"),
                                          SKIP1("middleName"),
                                          SKIP1("lastName"),
                                          SKIP1("approximateAge"),
                                          SKIP1("dateOfBirth"),
                                          LEAF("phone", A_PHONE, R_IDENT),
                                          LEAF("email", A_EMAIL, R_IDENT),
                                          SKIP1("allEmailsReported"),
                                          SKIP("address"),
                                          LEAF("espService", A_ESP_SERVICE, R_SINGLE),
                                          LEAF("espIdentifier", A_ESP_ID, R_SINGLE | R_IDENT),
                                          LEAF("profileUrl", A_URL, R_IDENT),
                                          LEAF("screenName", A_SCREEN, R_SINGLE | R_IDENT),
                                          SKIP("displayName"),
                                          SKIP1("profileBio"),
                                          SKIP1("groupIdentifier"),
                                          SKIP1("compromisedAccount"),
                                          SKIP1("accountTemporarilyDisabled"),
                                          SKIP1("accountPermanentlyDisabled"),
                                          IN("ipCaptureEvent", X_IPCE, 0),
                                          IN("deviceId", X_DEVICE, 0),
                                          LEAF("priorCTReport", A_PRIOR, 0),
                                          SKIP1("additionalInfo")};
static const struct row ipce_rows[] = {LEAF("ipAddress", A_IP, R_SINGLE | R_IDENT),
                                       SKIP1("eventName"), SKIP1("dateTime"),
                                       SKIP1("possibleProxy"), SKIP1("port")};
static const struct row device_rows[] = {LEAF("idType", A_IDTYPE, R_SINGLE),
                                         LEAF("idValue", A_IDVALUE, R_SINGLE | R_IDENT),
                                         SKIP1("eventName"), SKIP1("dateTime")};
static const struct row victim_rows[] = {IN("victimPerson", X_VPERSON, R_SINGLE),
                                         SKIP1("espIdentifier"),
                                         SKIP1("espService"),
                                         SKIP1("compromisedAccount"),
                                         SKIP1("screenName"),
                                         SKIP("displayName"),
                                         SKIP("profileUrl"),
                                         SKIP1("profileBio"),
                                         SKIP("ipCaptureEvent"),
                                         SKIP("deviceId"),
                                         SKIP1("schoolName"),
                                         SKIP("priorCTReports"),
                                         SKIP1("accountTemporarilyDisabled"),
                                         SKIP1("accountPermanentlyDisabled"),
                                         SKIP1("estimatedLocation"),
                                         SKIP1("allEmailsReported"),
                                         SKIP("associatedAccount"),
                                         SKIP1("additionalInfo")};
static const struct row vperson_rows[] = {SKIP1("firstName"),  SKIP1("lastName"),
                                          SKIP("phone"),       SKIP("email"),
                                          SKIP("address"),     LEAF("age", A_VAGE, R_SINGLE),
                                          SKIP1("dateOfBirth")};
static const struct row file_rows[] = {LEAF("reportId", A_FD_REPORTID, R_SINGLE),
                                       LEAF("fileId", A_NONE, R_SINGLE),
                                       SKIP1("fileName"),
                                       SKIP1("originalFileName"),
                                       SKIP1("uploadedToEspTimestamp"),
                                       SKIP1("locationOfFile"),
                                       LEAF("fileViewedByEsp", A_VIEWED, R_SINGLE),
                                       SKIP1("exifViewedByEsp"),
                                       LEAF("publiclyAvailable", A_PUBLIC, R_SINGLE),
                                       LEAF("fileRelevance", A_RELEVANCE, R_SINGLE),
                                       LEAF("potentialMeme", A_MEME, R_SINGLE),
                                       IN("fileAnnotations", X_FANNOT, R_SINGLE),
                                       LEAF("industryClassification", A_CLASS, R_SINGLE),
                                       SKIP("originalFileHash"),
                                       SKIP1("ipCaptureEvent"),
                                       SKIP("deviceId"),
                                       SKIP1("details"),
                                       SKIP("additionalInfo")};
static const struct row fannot_rows[] = {
    FLAG("animeDrawingVirtualHentai", A_FFLAG, F_ESP_ANIME_DRAWING_VIRTUAL_HENTAI),
    FLAG("potentialMeme", A_FFLAG, F_ESP_POTENTIAL_MEME),
    FLAG("viral", A_FFLAG, F_ESP_VIRAL),
    FLAG("possibleSelfProduction", A_SELFPROD, -1),
    FLAG("physicalHarm", A_FFLAG, F_ESP_PHYSICAL_HARM),
    FLAG("violenceGore", A_FFLAG, F_ESP_VIOLENCE_GORE),
    FLAG("bestiality", A_FFLAG, F_ESP_BESTIALITY),
    FLAG("liveStreaming", A_FFLAG, F_ESP_LIVE_STREAMING),
    FLAG("infant", A_FFLAG, F_ESP_INFANT),
    FLAG("generativeAi", A_FFLAG, F_ESP_GENERATIVE_AI)};
enum { FA_SELFPROD = 3, FA_LIVESTREAM = 7 }; /* their rows in fannot_rows[] */

#define ROWS(a)                                                                                    \
	{                                                                                          \
		a, ARRAY_SIZE(a)                                                                   \
	}
static const struct {
	const struct row *rows;
	size_t n;
} ctx_rows[X_NCTX] = {
    [X_CT] = ROWS(ct_rows),           [X_REPORT] = ROWS(report_rows),
    [X_SUMMARY] = ROWS(summary_rows), [X_RANNOT] = ROWS(rannot_rows),
    [X_INET] = ROWS(inet_rows),       [X_POUR] = ROWS(pour_rows),
    [X_PERSON] = ROWS(person_rows),   [X_ACCOUNT] = ROWS(account_rows),
    [X_IPCE] = ROWS(ipce_rows),       [X_DEVICE] = ROWS(device_rows),
    [X_VICTIM] = ROWS(victim_rows),   [X_VPERSON] = ROWS(vperson_rows),
    [X_FILE] = ROWS(file_rows),       [X_FANNOT] = ROWS(fannot_rows),
    [X_LAWENF] = ROWS(lawenf_rows),
};

/* The XSD's eight incident types, and the referral type each maps to. */
static const char *const incident_types[] = {
    "Child Pornography (possession, manufacture, and distribution)",
    "Child Sex Trafficking",
    "Child Sex Tourism",
    "Child Sexual Molestation",
    "Misleading Domain Name",
    "Misleading Words or Digital Images on the Internet",
    "Online Enticement of Children for Sexual Acts",
    "Unsolicited Obscene Material Sent to a Child",
    NULL};
enum { IT_CHILD_PORNOGRAPHY = 0, IT_ENTICEMENT = 6, IT_UNSOLICITED = 7 };
static const char *const relevances[] = {"Reported", "Supplemental Reported", NULL};
static const char *const classes[] = {"A1", "A2", "B1", "B2", NULL};
static const char *const account_types[] = {"Billing",         "Linked", "Business", "Creator",
                                            "Parent/Guardian", "Other",  NULL};
enum { ACCOUNTS_LINKED = 4 }; /* the first four types give identifiers */
static const char *const batch_reasons[] = {"VIRAL_POTENTIAL_MEME", NULL};
static const char *const ct_attrs_known[] = {
    "reportId",     "receivedAt", "ncmecPriority",  "disposition",
    "bundledCount", "forceArea",  "classification", NULL};
static const char *const xml_priorities[] = {"1", "2", "3", "E", NULL};
static const char *const xml_dispositions[] = {"referral", "informational", NULL};

struct frame {
	uint8_t ctx;
	const struct row *row; /* NULL for the envelope and the root */
	uint32_t seen;         /* rows of its context seen in it (for single ones) */
	size_t path_len;       /* the path's length before this element */
};

/* Who an identifier belongs to: the reported person, or one of its accounts. */
struct holder {
	struct buf esp_id, service, screen;
	bool has_id, has_screen;
};

/* The file being read, by reference to a Reported fileDetails. */
struct xfile {
	bool reported;
	int viewed, public_, meme; /* -1 unknown, 0, 1 */
	int cls;                   /* index in classes[], or -1 */
	uint32_t flags[1];         /* bit k: fannot_rows[k] */
	bool has_id;
};

struct tok {
	uint8_t type;
	char hex[TOKEN_HEX];
};

struct xmldec {
	/* The call: where records go, what to say when reading stops. */
	ingest_fn fn;
	void *ctx;
	struct ingest_result *res;
	const struct ingest_opts *o;
	const char *name;
	struct diag *d;
	int rc;    /* -1 once fn or a read failed */
	bool stop; /* reading has stopped */
	XML_Parser p;

	struct frame stack[XML_MAX_DEPTH + 1];
	int depth;
	struct buf path;
	struct buf text;
	size_t text_len; /* of the current element, also when not kept */

	/* The record being read. */
	bool in_rec, bare;
	int rec_depth;
	unsigned long rec_line;
	uint64_t rec_start, rec_elements;
	struct buf events; /* the record's parse events, hashed if it is rejected */
	struct package pkg;
	struct reasons reasons;
	struct reasons scratch; /* the package's own reasons: they quote values */
	struct buf id;          /* reportId digits */
	struct buf annots;
	struct buf toks;   /* struct tok */
	struct buf priors; /* int64_t */
	struct holder h[2];
	int holder; /* -1 none, 0 the reported person, 1 an account */
	struct buf dev_type, dev_value;
	struct xfile file;
	int npour, nvictims, youngest, incident_type, age;
	int64_t incident_us;
	int32_t dob_days;
	bool has_incident_at, has_dob, sextortion, p2p, escalated, batched;
	int nfiledetails, nreported, nviewed, class_count[4];
	bool viewed_all, class_all, meme_all_false, self_generated, distribution, livestream;
	uint32_t fflags; /* bits: fannot_rows, from Reported files */
	uint32_t rflags; /* bits: rannot_rows */
};

/* --- stopping and reasons ----------------------------------------------- */

/* A problem with the file as a whole: hand it over and stop reading. */
static void file_error(struct xmldec *x, unsigned long line, const char *fmt, ...)
    PRINTF_LIKE(3, 4);

static void file_error(struct xmldec *x, unsigned long line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	if (x->stop)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	reasons_clear(&x->reasons);
	reasons_add(&x->reasons, "document", "%s", msg);
	x->res->records++;
	x->res->stopped = true;
	x->stop = true;
	x->in_rec = false;
	if (x->rc == 0)
		x->rc = ingest_reject(x->fn, x->ctx, &x->reasons, NULL, "", 0, 0, line, -1, x->d);
	(void)XML_StopParser(x->p, XML_FALSE);
}

/* The field of a reason at the current path (plus sub, e.g. "@type"). */
static const char *where(const struct xmldec *x, const char *sub, char *dst, size_t size)
{
	(void)snprintf(dst, size, "%s%s%s", x->path.data ? x->path.data : "",
	               sub && *sub && x->path.len ? "/" : "", sub ? sub : "");
	return dst;
}

/* A reason at the current path (plus sub, if not NULL or empty). */
static void path_reason(struct xmldec *x, const char *sub, const char *fmt, ...) PRINTF_LIKE(3, 4);

static void path_reason(struct xmldec *x, const char *sub, const char *fmt, ...)
{
	char field[160], msg[500];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	reasons_add(&x->reasons, where(x, sub, field, sizeof(field)), "%s", msg);
}

/*
 * Which values a message may quote: the one rule for every message and
 * quarantine reason of this decoder. A value is quoted only when its element
 * or attribute is on this list of non-identifying ones AND the value has the
 * shape the list gives (well-formed, merely out of range or impossible, as a
 * 31 February). Anything else, wherever it was, prints as <redacted, N
 * bytes>: an identifier, free text, an enumeration's or a boolean's unknown
 * value (which could be anything; the message lists the valid values
 * instead), a report number (a phone number is digits too).
 */
enum shape {
	SH_DATETIME, /* 2026-10-30[T21:40[:00[.5]]][Z|+01:00] */
	SH_AGE,      /* [-]1 to 3 digits */
	SH_COUNT,    /* [-]1 to 6 digits: too short for a phone number */
	SH_ENCODING, /* an encoding name from encodings[] */
};
static const struct {
	const char *where; /* as in a message: path in the record, @attribute */
	enum shape shape;
} quotable[] = {
    {"@receivedAt", SH_DATETIME},
    {"report/incidentSummary/incidentDateTime", SH_DATETIME},
    {"@bundledCount", SH_COUNT},
    {"report/personOrUserReported/personOrUserReportedPerson/age", SH_AGE},
    {"report/victim/victimPerson/age", SH_AGE},
    {"?xml/@encoding", SH_ENCODING},
};
static const char *const encodings[] = {
    "ISO-8859-1", "ISO-8859-15", "US-ASCII",     "ASCII",        "UTF-16",    "UTF-16LE",
    "UTF-16BE",   "UTF-32",      "windows-1252", "windows-1250", "Shift_JIS", "EUC-JP",
    "GB2312",     "GBK",         "Big5",         "KOI8-R",       "latin1",    NULL};

/* n digits at s[*i] (moved past them); false if there are fewer. */
static bool digits_at(const char *s, size_t len, size_t *i, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++, (*i)++)
		if (*i >= len || s[*i] < '0' || s[*i] > '9')
			return false;
	return true;
}

/* 1 to max digits, maybe after a minus. */
static bool small_int_shape(const char *s, size_t n, size_t max)
{
	size_t i = n && s[0] == '-';

	if (n - i == 0 || n - i > max)
		return false;
	return digits_at(s, n, &i, n - i);
}

/* YYYY-MM-DD, then maybe T (or a space) hh:mm[:ss[.f]] and a zone; numbers unchecked. */
static bool datetime_shape(const char *s, size_t n)
{
	size_t i = 0, f;

	if (!digits_at(s, n, &i, 4) || i >= n || s[i++] != '-' || !digits_at(s, n, &i, 2) ||
	    i >= n || s[i++] != '-' || !digits_at(s, n, &i, 2))
		return false;
	if (i == n)
		return true;
	if ((s[i] != 'T' && s[i] != 't' && s[i] != ' ') || !(++i, digits_at(s, n, &i, 2)) ||
	    i >= n || s[i++] != ':' || !digits_at(s, n, &i, 2))
		return false;
	if (i < n && s[i] == ':') {
		i++;
		if (!digits_at(s, n, &i, 2))
			return false;
		if (i < n && s[i] == '.') {
			for (f = ++i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
				;
			if (i == f || i - f > 9)
				return false;
		}
	}
	if (i == n)
		return true;
	if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == n)
		return true;
	if (s[i] != '+' && s[i] != '-')
		return false;
	i++;
	return digits_at(s, n, &i, 2) && i < n && s[i++] == ':' && digits_at(s, n, &i, 2) && i == n;
}

static bool quotable_value(const char *at, const char *s, size_t n)
{
	size_t k;
	int i;

	for (k = 0; k < ARRAY_SIZE(quotable); k++) {
		if (strcmp(quotable[k].where, at) != 0)
			continue;
		switch (quotable[k].shape) {
		case SH_DATETIME:
			return datetime_shape(s, n);
		case SH_AGE:
			return small_int_shape(s, n, 3);
		case SH_COUNT:
			return small_int_shape(s, n, 6);
		case SH_ENCODING:
			for (i = 0; encodings[i]; i++)
				if (text_ieq(s, n, encodings[i]))
					return true;
			return false;
		}
	}
	return false;
}

/* The value at `at` for a message: "value" if quotable, else <redacted, N bytes>. */
static const char *shown(char *dst, size_t size, const char *at, const char *s, size_t n)
{
	char tmp[400];

	if (!quotable_value(at, s, n)) {
		(void)snprintf(dst, size, "<redacted, %zu bytes>", n);
		return dst;
	}
	text_display(tmp, sizeof(tmp), s, n, 80);
	(void)snprintf(dst, size, "\"%s\"", tmp);
	return dst;
}

/* "<value> is not <expected>" at the current path (plus sub), by the one rule. */
static void bad_value(struct xmldec *x, const char *sub, const char *s, size_t n,
                      const char *expected)
{
	char field[160], v[420];

	where(x, sub, field, sizeof(field));
	reasons_add(&x->reasons, field, "%s is not %s", shown(v, sizeof(v), field, s, n), expected);
}

/*
 * A hint for a value that is not one of values: the value it differs from
 * only in case, or the one value it begins (4 bytes or more, any case). It
 * names a valid value, never the one given.
 */
static void enum_hint(const char *const *values, const char *s, size_t n, char *dst, size_t size)
{
	int i, found = -1, prefixes = 0;

	dst[0] = '\0';
	for (i = 0; values[i]; i++) {
		if (text_ieq(s, n, values[i])) {
			(void)snprintf(dst, size, " (did you mean \"%s\"? case matters)",
			               values[i]);
			return;
		}
		if (n >= 4 && strlen(values[i]) > n && strncasecmp(values[i], s, n) == 0) {
			found = i;
			prefixes++;
		}
	}
	if (prefixes == 1)
		(void)snprintf(dst, size, " (did you mean \"%s\"?)", values[found]);
}

/* What contract field f takes, for a message about s[0..n). */
static void field_expectation(int f, const char *s, size_t n, char *dst, size_t size)
{
	const struct field_def *d = &contract_fields[f];
	char list[260], hint[160];

	switch (d->type) {
	case FT_ENUM:
		contract_enum_list(d->values, list, sizeof(list));
		enum_hint(d->values, s, n, hint, sizeof(hint));
		(void)snprintf(dst, size, "one of %s%s", list, hint);
		break;
	case FT_STRING:
		(void)snprintf(dst, size, "text of at most %lld bytes, no control characters",
		               (long long)d->max);
		break;
	default:
		(void)snprintf(dst, size, "a valid %s", d->name);
		break;
	}
}

static void oom(struct xmldec *x)
{
	if (x->rc == 0) {
		diag_at(x->d, x->name, XML_GetCurrentLineNumber(x->p), NULL);
		x->rc = diag_set(x->d, EX_SOFTWARE, "out of memory");
	}
	x->stop = true;
	(void)XML_StopParser(x->p, XML_FALSE);
}

/*
 * Contract field f from s[0..n): a value the decoder read (at the current
 * path plus sub) or made (sub NULL: said at the field's name). The package's
 * own reasons quote the value, so they are kept apart and the problem is said
 * again here by the one rule.
 */
static void put_field(struct xmldec *x, const char *sub, int f, const char *s, size_t n)
{
	char field[160], v[420], exp[440];

	reasons_clear(&x->scratch);
	if (package_set_text(&x->pkg, f, s, n, &x->scratch) == 0)
		return;
	if (package_oom(&x->pkg))
		return oom(x);
	if (sub)
		where(x, sub, field, sizeof(field));
	else
		(void)snprintf(field, sizeof(field), "%s", contract_fields[f].name);
	field_expectation(f, s, n, exp, sizeof(exp));
	reasons_add(&x->reasons, field, "%s is not %s", shown(v, sizeof(v), field, s, n), exp);
}

static void set_field(struct xmldec *x, int f, const char *s, size_t n)
{
	put_field(x, NULL, f, s, n);
}

/* --- values --------------------------------------------------------------- */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The text without the white space around it. */
static const char *trimmed(const struct buf *b, size_t *n)
{
	const char *s = b->data;
	size_t len = b->len;

	while (len && is_space(*s))
		s++, len--;
	while (len && is_space(s[len - 1]))
		len--;
	*n = len;
	return s;
}

/* xs:boolean as the spec allows: 1 true, 0 false, -1 neither. */
static int parse_bool(const char *s, size_t n)
{
	if ((n == 4 && memcmp(s, "true", 4) == 0) || (n == 1 && s[0] == '1'))
		return 1;
	if ((n == 5 && memcmp(s, "false", 5) == 0) || (n == 1 && s[0] == '0'))
		return 0;
	return -1;
}

/* 1 to max_digits decimal digits into *v; -1 otherwise. */
static int parse_digits(const char *s, size_t n, size_t max_digits, int64_t *v)
{
	size_t i;

	if (n == 0 || n > max_digits)
		return -1;
	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (*v > (INT64_MAX - 9) / 10)
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

/* An xs:dateTime with a zone (time_parse_datetime also takes a bare date). */
static int parse_datetime(const char *s, size_t n, int64_t *us)
{
	const char *why;

	if (n <= 10 || (s[10] != 'T' && s[10] != 't'))
		return -1;
	return time_parse_datetime(s, n, us, &why);
}

static int enum_index(const char *const *values, const char *s, size_t n)
{
	return contract_enum_index(values, s, n);
}

/* Lower-case a copy of s[0..n) into b. */
static int lowered(struct buf *b, const char *s, size_t n)
{
	size_t i;

	buf_reset(b);
	if (buf_add(b, s, n) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (b->data[i] >= 'A' && b->data[i] <= 'Z')
			b->data[i] = (char)(b->data[i] - 'A' + 'a');
	return 0;
}

/*
 * The token of one identifier, through the one tokeniser every reader of raw
 * identifiers shares (token_ident: normalised as cybertip.md says); a value
 * that cannot be of its type is a reason, printed redacted.
 */
static void add_token(struct xmldec *x, int type, const char *scope, const char *v, size_t n)
{
	const char *expected;
	struct tok t;

	t.type = (uint8_t)type;
	if (token_ident(x->o->token_key, contract_ident_types[type], scope, v, n, t.hex,
	                &expected) < 0)
		return bad_value(x, NULL, v, n, expected);
	if (buf_add(&x->toks, &t, sizeof(t)) < 0)
		oom(x);
}

enum { T_EMAIL, T_USERNAME, T_IP, T_PHONE, T_DEVICE, T_PAYMENT, T_OTHER };

static void leaf_email(struct xmldec *x, const char *s, size_t n)
{
	add_token(x, T_EMAIL, "", s, n);
}

static void leaf_ip(struct xmldec *x, const char *s, size_t n)
{
	add_token(x, T_IP, "", s, n);
}

static void leaf_phone(struct xmldec *x, const char *s, size_t n)
{
	size_t i, ncc = x->dev_type.len;

	/* dev_type holds the digits of @countryCallingCode (on_start). */
	for (i = 0; i < n; i++)
		if (s[i] >= '0' && s[i] <= '9' && buf_addc(&x->dev_type, s[i]) < 0)
			return oom(x);
	if (x->dev_type.len == ncc)
		return bad_value(x, NULL, s, n, "a phone number (no digits)");
	add_token(x, T_PHONE, "", x->dev_type.data, x->dev_type.len);
}

static void leaf_prior(struct xmldec *x, const char *s, size_t n)
{
	int64_t v;

	if (parse_digits(s, n, 19, &v) < 0)
		return bad_value(x, NULL, s, n, "a CyberTipline report number (1-19 digits)");
	if (buf_add(&x->priors, &v, sizeof(v)) < 0)
		return oom(x);
	add_token(x, T_OTHER, "ncmec-report", s, n);
}

/* An age: whole years from lo to hi. */
static int leaf_age(struct xmldec *x, const char *s, size_t n, int lo, int hi)
{
	int64_t v;

	if (parse_digits(s, n, 3, &v) < 0 || v < lo || v > hi) {
		char e[64];

		(void)snprintf(e, sizeof(e), "an age from %d to %d", lo, hi);
		bad_value(x, NULL, s, n, e);
		return -1;
	}
	return (int)v;
}

/* A presence flag: empty or true; false is invalid (the XSD fixes it). */
static int leaf_flag(struct xmldec *x, const char *s, size_t n)
{
	int b = n ? parse_bool(s, n) : 1;

	if (b == 1)
		return 0;
	if (b == 0)
		path_reason(x, NULL,
		            "false in a presence flag (the XSD fixes it to true: leave "
		            "the element out instead)");
	else
		bad_value(x, NULL, s, n, "empty or true (a presence flag)");
	return -1;
}

static int leaf_bool(struct xmldec *x, const char *s, size_t n)
{
	static const char *const bools[] = {"true", "false", "1", "0", NULL};
	char hint[160], e[200];
	int b = parse_bool(s, n);

	if (b < 0) {
		enum_hint(bools, s, n, hint, sizeof(hint));
		(void)snprintf(e, sizeof(e), "a boolean (true, false, 1 or 0)%s", hint);
		bad_value(x, NULL, s, n, e);
	}
	return b;
}

/* Index of s in values; -1 after a reason (expected, or the list of values). */
static int leaf_enum(struct xmldec *x, const char *sub, const char *const *values,
                     const char *expected, const char *s, size_t n)
{
	char list[300], hint[160], all[600];
	int i = enum_index(values, s, n);

	if (i >= 0)
		return i;
	if (!expected) {
		char vals[260];

		contract_enum_list(values, vals, sizeof(vals));
		(void)snprintf(list, sizeof(list), "one of %s", vals);
		expected = list;
	}
	enum_hint(values, s, n, hint, sizeof(hint));
	(void)snprintf(all, sizeof(all), "%s%s", expected, hint);
	bad_value(x, sub, s, n, all);
	return -1;
}

static void leaf_identity(struct xmldec *x, int act, const char *s, size_t n)
{
	struct holder *h;

	if (x->holder < 0)
		return;
	h = &x->h[x->holder];
	if (act == A_ESP_SERVICE) {
		if (lowered(&h->service, s, n) < 0)
			oom(x);
		return;
	}
	if (n == 0)
		return;
	buf_reset(act == A_ESP_ID ? &h->esp_id : &h->screen);
	if (act == A_ESP_ID ? buf_add(&h->esp_id, s, n) < 0 : lowered(&h->screen, s, n) < 0)
		return oom(x);
	if (act == A_ESP_ID)
		h->has_id = true;
	else
		h->has_screen = true;
}

/* What a file's leaf says, kept until the file ends. */
static void leaf_file(struct xmldec *x, int act, const char *s, size_t n)
{
	int64_t v;

	switch (act) {
	case A_FD_REPORTID:
		x->file.has_id = true;
		if (parse_digits(s, n, 19, &v) < 0)
			return bad_value(x, NULL, s, n, "a report id (1-19 digits)");
		if (x->id.len && (n != x->id.len || memcmp(s, x->id.data, n) != 0)) {
			char e[64];

			(void)snprintf(e, sizeof(e), "the envelope's reportId %s", x->id.data);
			bad_value(x, NULL, s, n, e);
		}
		break;
	case A_VIEWED:
		x->file.viewed = leaf_bool(x, s, n);
		break;
	case A_PUBLIC:
		x->file.public_ = leaf_bool(x, s, n);
		break;
	case A_MEME:
		x->file.meme = leaf_bool(x, s, n);
		break;
	case A_RELEVANCE:
		x->file.reported = leaf_enum(x, NULL, relevances, NULL, s, n) == 0;
		break;
	case A_CLASS:
		x->file.cls = leaf_enum(x, NULL, classes, NULL, s, n);
		break;
	}
}

/*
 * "one of the XSD's eight incident types: 'A', 'B', ... or 'H'": the valid
 * values are the XSD's own words, never the input, so they may be listed.
 */
static const char *incident_types_expected(char *text, size_t size)
{
	size_t i, o;

	o = (size_t)snprintf(text, size, "one of the XSD's eight incident types: ");
	for (i = 0; incident_types[i] && o < size; i++)
		o += (size_t)snprintf(text + o, size - o, "%s'%s'",
		                      i == 0                  ? ""
		                      : incident_types[i + 1] ? ", "
		                                              : " or ",
		                      incident_types[i]);
	return text;
}

static void leaf_summary(struct xmldec *x, int act, const char *s, size_t n)
{
	char expected[420];

	switch (act) {
	case A_INCIDENT_TYPE:
		/* A near miss gets its "did you mean"; anything else the list of the eight. */
		enum_hint(incident_types, s, n, expected, sizeof(expected));
		x->incident_type =
		    leaf_enum(x, NULL, incident_types,
		              expected[0] ? "exactly one of the XSD's eight incident types"
		                          : incident_types_expected(expected, sizeof(expected)),
		              s, n);
		if (x->incident_type < 0)
			x->incident_type = -2; /* given, but not one of them */
		break;
	case A_ESCALATE:
		x->escalated = n > 0;
		break;
	case A_INCIDENT_AT:
		if (parse_datetime(s, n, &x->incident_us) < 0)
			return bad_value(x, NULL, s, n,
			                 "a date and time with a zone (2026-10-30T21:40:00+01:00)");
		if (x->has_incident_at)
			break; /* given more than once: said at its start */
		x->has_incident_at = true;
		put_field(x, "", F_INCIDENT_AT, s, n);
		break;
	}
}

/* The end of a text element: its trimmed text s[0..n). */
static void leaf_end(struct xmldec *x, const struct row *r, const char *s, size_t n)
{
	const char *why;
	int v;

	switch (r->act) {
	case A_INCIDENT_TYPE:
	case A_ESCALATE:
	case A_INCIDENT_AT:
		return leaf_summary(x, r->act, s, n);
	case A_SEXTORTION:
	case A_RFLAG:
		if (leaf_flag(x, s, n) == 0) {
			x->sextortion |= r->act == A_SEXTORTION;
			x->rflags |= UINT32_C(1) << (r - rannot_rows);
			if (buf_addf(&x->annots, "%s%s", x->annots.len ? ", " : "", r->name) < 0)
				oom(x);
		}
		return;
	case A_FFLAG:
	case A_SELFPROD:
		if (leaf_flag(x, s, n) == 0)
			x->file.flags[0] |= UINT32_C(1) << (r - fannot_rows);
		return;
	case A_AGE:
		if ((v = leaf_age(x, s, n, 10, 120)) >= 0)
			x->age = v;
		return;
	case A_VAGE:
		if ((v = leaf_age(x, s, n, 0, 120)) >= 0 && v <= 17 &&
		    (x->youngest < 0 || v < x->youngest))
			x->youngest = v;
		return;
	case A_DOB:
		if (n != 10 || time_parse_date(s, n, &x->dob_days, &why) < 0)
			return bad_value(x, NULL, s, n, "a date (YYYY-MM-DD)");
		x->has_dob = true;
		return;
	case A_ESP_ID:
	case A_ESP_SERVICE:
	case A_SCREEN:
		return leaf_identity(x, r->act, s, n);
	case A_LE_AGENCY:
	case A_LE_CASE:
		if (n)
			put_field(x, NULL, r->act == A_LE_AGENCY ? F_LE_AGENCY : F_LE_CASE, s, n);
		return;
	case A_URL:
		if (n)
			add_token(x, T_OTHER, "url", s, n);
		return;
	case A_PRIOR:
		return leaf_prior(x, s, n);
	case A_EMAIL:
		return leaf_email(x, s, n);
	case A_PHONE:
		return leaf_phone(x, s, n);
	case A_IP:
		return leaf_ip(x, s, n);
	case A_IDTYPE:
	case A_IDVALUE:
		buf_reset(r->act == A_IDTYPE ? &x->dev_type : &x->dev_value);
		if (buf_add(r->act == A_IDTYPE ? &x->dev_type : &x->dev_value, s, n) < 0)
			oom(x);
		return;
	default:
		return leaf_file(x, r->act, s, n);
	}
}

/* --- containers ------------------------------------------------------------ */

/* The end of the reported person (0) or an account (1): its scoped tokens. */
static void holder_end(struct xmldec *x, int which)
{
	struct holder *h = &x->h[which];
	char first[TOKEN_HEX];

	if (h->has_id)
		add_token(x, T_OTHER, h->service.data, h->esp_id.data, h->esp_id.len);
	if (h->has_screen)
		add_token(x, T_USERNAME, h->service.data, h->screen.data, h->screen.len);
	if (which == 0 && x->npour == 1 && (h->has_id || h->has_screen) &&
	    x->toks.len >= sizeof(struct tok)) {
		/* subject_ref: the token of espIdentifier, else of screenName. */
		const struct tok *t = (const struct tok *)(x->toks.data + x->toks.len) -
		                      (h->has_id && h->has_screen ? 2 : 1);

		memcpy(first, t->hex, TOKEN_HEX);
		put_field(x, "", F_SUBJECT_REF, first, strlen(first));
	}
	x->holder = which == 1 ? 0 : -1;
}

static void holder_begin(struct xmldec *x, int which)
{
	struct holder *h = &x->h[which];

	buf_reset(&h->esp_id);
	buf_reset(&h->service);
	buf_reset(&h->screen);
	h->has_id = h->has_screen = false;
	x->holder = which;
}

static void device_end(struct xmldec *x)
{
	size_t tn, vn;
	const char *t = trimmed(&x->dev_type, &tn), *v = trimmed(&x->dev_value, &vn);
	char scope[256];

	if (x->holder < 0 || !tn || !vn)
		return;
	(void)snprintf(scope, sizeof(scope), "%.*s", (int)tn, t);
	add_token(x, T_DEVICE, scope, v, vn);
}

/* The end of a fileDetails: a Reported file counts. */
static void file_end(struct xmldec *x)
{
	struct xfile *f = &x->file;

	x->nfiledetails++;
	if (!f->has_id)
		path_reason(x, "reportId", "missing: every fileDetails names its report");
	if (!f->reported)
		return;
	x->nreported++;
	x->fflags |= f->flags[0];
	if (f->viewed < 0)
		x->viewed_all = false;
	else
		x->nviewed += f->viewed;
	if (f->cls < 0)
		x->class_all = false;
	else
		x->class_count[f->cls]++;
	if (f->meme != 0)
		x->meme_all_false = false;
	x->distribution |= f->public_ == 1;
	x->self_generated |= (f->flags[0] >> FA_SELFPROD) & 1;
	x->livestream |= (f->flags[0] >> FA_LIVESTREAM) & 1;
}

static void file_begin(struct xmldec *x)
{
	memset(&x->file, 0, sizeof(x->file));
	x->file.reported = true; /* fileRelevance absent: Reported */
	x->file.viewed = x->file.public_ = x->file.meme = -1;
	x->file.cls = -1;
}

/* --- attributes ------------------------------------------------------------ */

static bool ignored_attr(const char *name)
{
	return strncmp(name, "xsi:", 4) == 0 || strncmp(name, "xmlns", 5) == 0;
}

static void unknown_attr(struct xmldec *x, const char *name)
{
	char sub[80];

	if (x->o->ignore_unknown || ignored_attr(name))
		return;
	(void)snprintf(sub, sizeof(sub), "@%s", name);
	path_reason(x, sub, "unknown attribute (use --ignore-unknown-fields to ignore it)");
}

/* Every attribute must be in allowed (NULL-terminated, or NULL: none). */
static void check_attrs(struct xmldec *x, const char **atts, const char *const *allowed)
{
	size_t i;

	for (i = 0; atts[i]; i += 2)
		if (!allowed || enum_index(allowed, atts[i], strlen(atts[i])) < 0)
			unknown_attr(x, atts[i]);
}

static const char *attr(const char **atts, const char *name)
{
	size_t i;

	for (i = 0; atts[i]; i += 2)
		if (strcmp(atts[i], name) == 0)
			return atts[i + 1];
	return NULL;
}

/* The envelope's reportId and receivedAt (required). */
static void ct_ids(struct xmldec *x, const char **atts)
{
	const char *id = attr(atts, "reportId"), *at = attr(atts, "receivedAt");
	int64_t v, us;
	char ref[32];

	if (!id) {
		path_reason(x, "@reportId", "missing: no NCMEC report id");
	} else if (parse_digits(id, strlen(id), 19, &v) < 0) {
		bad_value(x, "@reportId", id, strlen(id), "an NCMEC report id (1-19 digits)");
	} else {
		if (buf_add(&x->id, id, strlen(id)) < 0)
			return oom(x);
		(void)snprintf(ref, sizeof(ref), "NCMEC-%s", id);
		put_field(x, "@reportId", F_PACKAGE_REF, ref, strlen(ref));
	}
	if (!at)
		path_reason(x, "@receivedAt", "missing: when the unit received the report");
	else if (parse_datetime(at, strlen(at), &us) < 0)
		bad_value(x, "@receivedAt", at, strlen(at),
		          "a date and time with a zone (2026-11-02T08:15:00Z)");
	else
		put_field(x, "@receivedAt", F_RECEIVED_AT, at, strlen(at));
}

static void ct_attrs(struct xmldec *x, const char **atts)
{
	const char *v;
	int64_t n;

	check_attrs(x, atts, ct_attrs_known);
	ct_ids(x, atts);
	if ((v = attr(atts, "ncmecPriority")) &&
	    leaf_enum(x, "@ncmecPriority", xml_priorities, NULL, v, strlen(v)) >= 0)
		put_field(x, "@ncmecPriority", F_SOURCE_PRIORITY, v, strlen(v));
	if ((v = attr(atts, "disposition")) &&
	    leaf_enum(x, "@disposition", xml_dispositions, NULL, v, strlen(v)) >= 0)
		put_field(x, "@disposition", F_SOURCE_DISPOSITION, v, strlen(v));
	if ((v = attr(atts, "bundledCount"))) {
		if (parse_digits(v, strlen(v), 10, &n) < 0 || n < 1 || n > CONTRACT_COUNT_MAX)
			bad_value(x, "@bundledCount", v, strlen(v), "a whole number, 1 or more");
		else
			put_field(x, "@bundledCount", F_BUNDLED_COUNT, v, strlen(v));
	}
	if ((v = attr(atts, "forceArea")))
		put_field(x, "@forceArea", F_FORCE_AREA, v, strlen(v));
	if ((v = attr(atts, "classification")))
		put_field(x, "@classification", F_CLASSIFICATION, v, strlen(v));
}

static const char *const phone_attrs[] = {
    "type", "verified", "verificationDate", "countryCallingCode", "extension", NULL};
static const char *const email_attrs[] = {"type", "verified", "verificationDate", NULL};
static const char *const account_attrs[] = {"type", "thirdPartyUser", NULL};
static const char *const batched_attrs[] = {"reason", NULL};

/*
 * The start of a known element in context ctx: its attributes, and the
 * context its content is read in (an account of a type that gives no
 * identifiers is skipped).
 */
static int known_start(struct xmldec *x, const struct row *r, const char **atts)
{
	const char *v;

	switch (r->ctx == X_LEAF ? -(int)r->act : (int)r->ctx) {
	case -A_PHONE:
		check_attrs(x, atts, phone_attrs);
		buf_reset(&x->dev_type);
		for (v = attr(atts, "countryCallingCode"); v && *v; v++)
			if (*v >= '0' && *v <= '9' && buf_addc(&x->dev_type, *v) < 0)
				oom(x);
		return X_LEAF;
	case -A_EMAIL:
		check_attrs(x, atts, email_attrs);
		return X_LEAF;
	case X_ACCOUNT:
		check_attrs(x, atts, account_attrs);
		v = attr(atts, "type");
		if (!v) {
			path_reason(x, "@type", "missing: the account's type");
			return X_SKIP;
		}
		if (leaf_enum(x, "@type", account_types, NULL, v, strlen(v)) >= ACCOUNTS_LINKED ||
		    x->holder != 0)
			return X_SKIP;
		holder_begin(x, 1);
		return X_ACCOUNT;
	case X_BATCHED:
		check_attrs(x, atts, batched_attrs);
		if ((v = attr(atts, "reason")))
			(void)leaf_enum(x, "@reason", batch_reasons, NULL, v, strlen(v));
		else
			path_reason(x, "@reason", "missing: why the report was batched");
		x->batched = true;
		return X_BATCHED;
	case X_POUR:
		if (++x->npour > 1)
			path_reason(x, NULL,
			            "more than one personOrUserReported: a report names one "
			            "subject");
		holder_begin(x, 0);
		break;
	case X_DEVICE:
		buf_reset(&x->dev_type);
		buf_reset(&x->dev_value);
		break;
	case X_FILE:
		file_begin(x);
		break;
	case X_VICTIM:
		x->nvictims++;
		break;
	case X_SKIP:
		x->p2p |= r->act == A_P2P;
		return X_SKIP;
	}
	check_attrs(x, atts, NULL);
	return r->ctx;
}

/* --- records --------------------------------------------------------------- */

static void record_begin(struct xmldec *x, bool bare)
{
	int i;

	package_reset(&x->pkg);
	reasons_clear(&x->reasons);
	buf_reset(&x->id);
	buf_reset(&x->annots);
	buf_reset(&x->toks);
	buf_reset(&x->priors);
	buf_reset(&x->path);
	x->in_rec = true;
	x->bare = bare;
	x->rec_depth = x->depth + 1;
	x->rec_line = (unsigned long)XML_GetCurrentLineNumber(x->p);
	x->rec_start = (uint64_t)XML_GetCurrentByteIndex(x->p);
	x->rec_elements = 0;
	buf_reset(&x->events);
	x->holder = -1;
	x->npour = x->nvictims = x->nfiledetails = x->nreported = x->nviewed = 0;
	x->youngest = x->incident_type = x->age = -1;
	x->has_incident_at = x->has_dob = x->sextortion = x->p2p = false;
	x->escalated = x->batched = false;
	x->viewed_all = x->class_all = x->meme_all_false = true;
	x->self_generated = x->distribution = x->livestream = false;
	x->fflags = x->rflags = 0;
	for (i = 0; i < 4; i++)
		x->class_count[i] = 0;
}

static int cmp_tok(const void *a, const void *b)
{
	const struct tok *p = a, *q = b;

	if (p->type != q->type)
		return p->type < q->type ? -1 : 1;
	return strcmp(p->hex, q->hex);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t p = *(const int64_t *)a, q = *(const int64_t *)b;

	return p < q ? -1 : p > q;
}

/* Identifiers, sorted by type and token, without duplicates. */
static void map_identifiers(struct xmldec *x)
{
	struct tok *t = (struct tok *)x->toks.data;
	size_t i, n = x->toks.len / sizeof(*t), item = 0;

	qsort(t, n, sizeof(*t), cmp_tok);
	for (i = 0; i < n; i++) {
		const char *type = contract_ident_types[t[i].type];

		if (i && cmp_tok(&t[i - 1], &t[i]) == 0)
			continue;
		if (package_add_ident(&x->pkg, type, strlen(type), t[i].hex, strlen(t[i].hex),
		                      ++item, &x->reasons) < 0 &&
		    package_oom(&x->pkg))
			return oom(x);
	}
}

static void set_int(struct xmldec *x, int f, long v)
{
	char s[24];

	(void)snprintf(s, sizeof(s), "%ld", v);
	set_field(x, f, s, strlen(s));
}

static void set_bool(struct xmldec *x, int f, bool v)
{
	set_field(x, f, v ? "true" : "false", v ? 4 : 5);
}

static const char *referral_type(const struct xmldec *x)
{
	if (x->sextortion)
		return "sextortion";
	if (x->incident_type == IT_ENTICEMENT)
		return "grooming";
	if (x->p2p)
		return "p2p";
	if (x->livestream)
		return "livestream";
	if (x->incident_type == IT_CHILD_PORNOGRAPHY)
		return "possession";
	if (x->incident_type == IT_UNSOLICITED)
		return "sexual_communication";
	return "other";
}

static void map_summary(struct xmldec *x)
{
	struct buf *b = &x->dev_value; /* free at the record's end */
	int rc;

	buf_reset(b);
	rc = buf_addf(b, "CT %s: %s", x->id.data, incident_types[x->incident_type]);
	if (rc == 0 && x->escalated)
		rc = buf_adds(b, "; ESP escalated");
	if (rc == 0 && x->annots.len)
		rc = buf_addf(b, "; %s", x->annots.data);
	if (rc == 0 && x->nfiledetails)
		rc = buf_addf(b, "; %d file%s", x->nreported, x->nreported == 1 ? "" : "s");
	if (rc < 0)
		return oom(x);
	set_field(x, F_SUMMARY, b->data, b->len);
}

/* Whole years from a date to a time (the age at the incident). */
static int years_between(int32_t dob, int64_t us)
{
	int64_t y0, y1;
	unsigned m0, d0, m1, d1;

	civil_from_days(dob, &y0, &m0, &d0);
	civil_from_days(time_floor_div(us, US_PER_DAY), &y1, &m1, &d1);
	return (int)(y1 - y0 - (m1 < m0 || (m1 == m0 && d1 < d0)));
}

static void map_subject(struct xmldec *x)
{
	int64_t *p = (int64_t *)x->priors.data;
	size_t i, n = x->priors.len / sizeof(*p), distinct = 0;

	if (x->age >= 0)
		set_int(x, F_SUBJECT_AGE, x->age);
	else if (x->has_dob && x->has_incident_at)
		set_int(x, F_SUBJECT_AGE, years_between(x->dob_days, x->incident_us));
	qsort(p, n, sizeof(*p), cmp_i64);
	for (i = 0; i < n; i++)
		distinct += i == 0 || p[i] != p[i - 1];
	if (n)
		set_int(x, F_PRIOR_REPORTS, (long)distinct);
	if (x->nvictims)
		set_int(x, F_VICTIMS_REPORTED, x->nvictims);
	if (x->youngest >= 0)
		set_int(x, F_YOUNGEST_CHILD_AGE, x->youngest);
}

static void map_files(struct xmldec *x)
{
	static const int class_fields[] = {F_FILES_CLASS_A1, F_FILES_CLASS_A2, F_FILES_CLASS_B1,
	                                   F_FILES_CLASS_B2};
	size_t k;
	int i;

	for (k = 0; k < ARRAY_SIZE(fannot_rows); k++)
		if ((x->fflags >> k) & 1 && fannot_rows[k].field >= 0)
			set_bool(x, fannot_rows[k].field, true);
	if (!((x->fflags >> 1) & 1) && x->nreported && x->meme_all_false)
		set_bool(x, F_ESP_POTENTIAL_MEME, false); /* legacy <potentialMeme>false */
	if (x->self_generated)
		set_bool(x, F_SELF_GENERATED, true);
	if (x->distribution || x->p2p)
		set_bool(x, F_DISTRIBUTION, true);
	if (!x->nfiledetails)
		return;
	set_int(x, F_FILES_REPORTED, x->nreported);
	if (x->viewed_all)
		set_int(x, F_FILES_VIEWED_BY_ESP, x->nviewed);
	for (i = 0; x->class_all && i < 4; i++)
		set_int(x, class_fields[i], x->class_count[i]);
}

/* The record's contract fields, once all of it has been read. */
static void map_record(struct xmldec *x)
{
	size_t k;

	if (x->incident_type == -1)
		path_reason(x, "report/incidentSummary/incidentType",
		            "missing: exactly one of the XSD's eight incident types");
	if (x->incident_type < 0)
		return;
	set_field(x, F_SOURCE, "NCMEC", 5);
	set_field(x, F_REFERRAL_TYPE, referral_type(x), strlen(referral_type(x)));
	if (!package_known(&x->pkg, F_SOURCE_PRIORITY) && x->escalated)
		set_field(x, F_SOURCE_PRIORITY, "esp_high", 8);
	set_bool(x, F_ESP_ESCALATED, x->escalated);
	set_bool(x, F_ESP_BATCHED, x->batched);
	if (x->sextortion)
		set_bool(x, F_COERCION_OR_THREATS, true);
	for (k = 0; k < ARRAY_SIZE(rannot_rows); k++)
		if ((x->rflags >> k) & 1 && rannot_rows[k].field >= 0)
			set_bool(x, rannot_rows[k].field, true);
	map_subject(x);
	map_files(x);
	if (!x->id.len)
		return;
	map_summary(x);
	/* The report's own id: a later report that names it as prior links. */
	add_token(x, T_OTHER, "ncmec-report", x->id.data, x->id.len);
	map_identifiers(x);
}

/* The record's "raw" text for quarantine: where it is and a hash, never the XML. */
static int record_reject(struct xmldec *x, uint64_t size)
{
	unsigned char h[HASH_BYTES];
	char hex[HASH_HEX], raw[200];
	int n;

	hash_bytes(h, x->events.data, x->events.len);
	hash_hex(hex, h);
	n = snprintf(raw, sizeof(raw),
	             "CyberTipline record at line %lu (the XML is not kept); BLAKE2b-256 of "
	             "its content: %s",
	             x->rec_line, hex);
	return ingest_reject(x->fn, x->ctx, &x->reasons,
	                     package_known(&x->pkg, F_PACKAGE_REF) ? &x->pkg : NULL, raw, (size_t)n,
	                     size, x->rec_line, -1, x->d);
}

static void record_end(struct xmldec *x, const char *name)
{
	uint64_t size = (uint64_t)XML_GetCurrentByteIndex(x->p) - x->rec_start;
	struct ingest_record rec;
	int rc;

	x->in_rec = false;
	x->res->records++;
	if (x->bare)
		reasons_add(&x->reasons, name,
		            "no NCMEC report id: a bare %s, outside the cybertip envelope that "
		            "gives reportId and receivedAt",
		            name);
	else
		map_record(x);
	if (x->stop)
		return;
	if (x->reasons.n || x->reasons.more || package_finish(&x->pkg, &x->reasons) < 0) {
		if (package_oom(&x->pkg))
			return oom(x);
		rc = record_reject(x, size);
	} else {
		memset(&rec, 0, sizeof(rec));
		rec.pkg = &x->pkg;
		rec.raw = "";
		rec.raw_size = size;
		rec.line = x->rec_line;
		rec.index = -1;
		rc = x->fn(x->ctx, &rec, x->d);
	}
	if (rc < 0) {
		x->rc = -1;
		x->stop = true;
		(void)XML_StopParser(x->p, XML_FALSE);
	}
}

/* --- expat's handlers ------------------------------------------------------ */

/*
 * Keep a parse event (kind, then the name or text and a NUL) for the record's
 * content hash. Only the events are kept, never the bytes as read; they are
 * hashed only when the record is rejected.
 */
static void hash_event(struct xmldec *x, char kind, const char *s, size_t n)
{
	if (!x->in_rec)
		return;
	if (buf_addc(&x->events, kind) < 0 || buf_add(&x->events, s, n) < 0 ||
	    buf_addc(&x->events, '\0') < 0)
		oom(x);
}

static const struct row *find_row(int ctx, const char *name, size_t *k)
{
	size_t i;

	for (i = 0; i < ctx_rows[ctx].n; i++)
		if (strcmp(ctx_rows[ctx].rows[i].name, name) == 0) {
			*k = i;
			return &ctx_rows[ctx].rows[i];
		}
	return NULL;
}

/* The context a child element of the envelope or below is read in. */
static int child_ctx(struct xmldec *x, struct frame *parent, const char *name, const char **atts,
                     const struct row **out)
{
	const struct row *r = NULL;
	size_t k = 0;

	*out = NULL;
	if (parent->ctx == X_SKIP)
		return X_SKIP;
	if (parent->ctx != X_LEAF && parent->ctx != X_BATCHED)
		r = find_row(parent->ctx, name, &k);
	if (!r) {
		if (!x->o->ignore_unknown)
			path_reason(x, NULL,
			            "unknown element (use --ignore-unknown-fields to ignore "
			            "it)");
		return X_SKIP;
	}
	if (r->flag & R_SINGLE && parent->seen & (UINT32_C(1) << k))
		path_reason(x, NULL, "given more than once (the XSD allows one)");
	parent->seen |= UINT32_C(1) << k;
	*out = r;
	return known_start(x, r, atts);
}

/* The root, or a child of cybertipBatch. */
static int top_ctx(struct xmldec *x, const char *name, const char **atts)
{
	bool batch = x->stack[x->depth].ctx == X_BATCH;

	if (strcmp(name, "cybertip") == 0) {
		record_begin(x, false);
		ct_attrs(x, atts);
		return X_CT;
	}
	if (strcmp(name, "report") == 0 || strcmp(name, "fileDetails") == 0) {
		record_begin(x, true);
		return X_SKIP;
	}
	if (!batch && strcmp(name, "cybertipBatch") == 0)
		return X_BATCH;
	file_error(x, (unsigned long)XML_GetCurrentLineNumber(x->p),
	           "not a CyberTipline file: <%s> where a cybertip%s is expected", name,
	           batch ? "" : " or cybertipBatch");
	return -1;
}

/* Limits on a record: elements and bytes. */
static bool over_limits(struct xmldec *x)
{
	unsigned long line = (unsigned long)XML_GetCurrentLineNumber(x->p);
	uint64_t max = x->o->max_xml_bytes ? x->o->max_xml_bytes : INGEST_MAX_XML_BYTES;

	if (x->depth >= XML_MAX_DEPTH) {
		file_error(x, line, "elements nested more than %d deep", XML_MAX_DEPTH);
		return true;
	}
	if (!x->in_rec)
		return false;
	if (++x->rec_elements > XML_MAX_ELEMENTS) {
		file_error(x, line, "a record of more than %d elements", XML_MAX_ELEMENTS);
		return true;
	}
	if ((uint64_t)XML_GetCurrentByteIndex(x->p) - x->rec_start > max) {
		file_error(x, line, "a record of more than %llu bytes (--max-xml-bytes)",
		           (unsigned long long)max);
		return true;
	}
	return false;
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct xmldec *x = ud;
	struct frame *parent = &x->stack[x->depth], *f;
	const struct row *r = NULL;
	size_t plen = x->path.len, i;
	int ctx;

	if (x->stop || over_limits(x))
		return;
	hash_event(x, '<', name, strlen(name));
	x->text_len = 0;
	buf_reset(&x->text);
	if (parent->ctx == X_DOC || parent->ctx == X_BATCH) {
		ctx = top_ctx(x, name, atts);
	} else {
		if (parent->ctx != X_SKIP &&
		    ((plen && buf_addc(&x->path, '/') < 0) || buf_adds(&x->path, name) < 0))
			return oom(x);
		ctx = child_ctx(x, parent, name, atts, &r);
	}
	/*
	 * Attributes are content too: two records that differ only in one (the
	 * envelope's own, read before the record began, included) must not hash
	 * alike, or a new reject would pass for a known one.
	 */
	for (i = 0; atts[i] && atts[i + 1]; i += 2) {
		hash_event(x, '@', atts[i], strlen(atts[i]));
		hash_event(x, '=', atts[i + 1], strlen(atts[i + 1]));
	}
	if (ctx < 0 || x->stop)
		return;
	f = &x->stack[++x->depth];
	f->ctx = (uint8_t)ctx;
	f->row = r;
	f->seen = 0;
	f->path_len = plen;
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
	struct xmldec *x = ud;
	struct frame *f = &x->stack[x->depth];
	size_t n;
	const char *s;

	if (x->stop)
		return;
	hash_event(x, '>', name, strlen(name));
	switch (f->ctx) {
	case X_LEAF:
		s = trimmed(&x->text, &n);
		leaf_end(x, f->row, s, n);
		break;
	case X_DEVICE:
		device_end(x);
		break;
	case X_POUR:
		holder_end(x, 0);
		break;
	case X_ACCOUNT:
		holder_end(x, 1);
		break;
	case X_FILE:
		file_end(x);
		break;
	}
	if (x->in_rec && x->depth == x->rec_depth)
		record_end(x, name);
	buf_truncate(&x->path, f->path_len);
	buf_reset(&x->text);
	x->text_len = 0;
	x->depth--;
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
	struct xmldec *x = ud;

	if (x->stop)
		return;
	x->text_len += (size_t)len;
	if (x->text_len > XML_MAX_TEXT) {
		file_error(x, (unsigned long)XML_GetCurrentLineNumber(x->p),
		           "a text node of more than 1 MiB");
		return;
	}
	hash_event(x, '"', s, (size_t)len);
	if (x->stack[x->depth].ctx == X_LEAF && buf_add(&x->text, s, (size_t)len) < 0)
		oom(x);
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal_subset)
{
	struct xmldec *x = ud;

	(void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
	file_error(x, (unsigned long)XML_GetCurrentLineNumber(x->p),
	           "a DOCTYPE: refused (no DTD, no entities, nothing fetched)");
}

static void XMLCALL on_pi(void *ud, const XML_Char *target, const XML_Char *data)
{
	struct xmldec *x = ud;

	(void)data;
	file_error(x, (unsigned long)XML_GetCurrentLineNumber(x->p),
	           "a processing instruction <?%.40s ...?>: refused", target);
}

static void XMLCALL on_decl(void *ud, const XML_Char *version, const XML_Char *encoding,
                            int standalone)
{
	struct xmldec *x = ud;

	(void)version, (void)standalone;
	if (encoding && !text_ieq(encoding, strlen(encoding), "UTF-8")) {
		char v[420];

		file_error(x, (unsigned long)XML_GetCurrentLineNumber(x->p),
		           "not UTF-8: the declaration names encoding %.60s",
		           shown(v, sizeof(v), "?xml/@encoding", encoding, strlen(encoding)));
	}
}

/* Any entity declaration (only reachable through a DTD, refused before). */
static void XMLCALL on_entity(void *ud, const XML_Char *name, int is_param, const XML_Char *value,
                              int value_length, const XML_Char *base, const XML_Char *sysid,
                              const XML_Char *pubid, const XML_Char *notation)
{
	struct xmldec *x = ud;

	(void)name, (void)is_param, (void)value, (void)value_length, (void)base, (void)sysid;
	(void)pubid, (void)notation;
	file_error(x, (unsigned long)XML_GetCurrentLineNumber(x->p), "an entity declaration");
}

/* --- the decoder ----------------------------------------------------------- */

static XML_Parser new_parser(struct xmldec *x)
{
	/* UTF-8 whatever the document says; another declared encoding is refused. */
	XML_Parser p = XML_ParserCreate("UTF-8");

	if (!p)
		return NULL;
	XML_SetUserData(p, x);
	XML_SetElementHandler(p, on_start, on_end);
	XML_SetCharacterDataHandler(p, on_text);
	XML_SetStartDoctypeDeclHandler(p, on_doctype);
	XML_SetProcessingInstructionHandler(p, on_pi);
	XML_SetXmlDeclHandler(p, on_decl);
	XML_SetEntityDeclHandler(p, on_entity);
	(void)XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);
	return p;
}

/* Every buffer the decoder owns, into bufs (room for XML_NBUFS). */
#define XML_NBUFS 15
static void xml_bufs(struct xmldec *x, struct buf *bufs[XML_NBUFS])
{
	struct buf *all[XML_NBUFS] = {
	    &x->path,        &x->text,        &x->id,           &x->annots,      &x->toks,
	    &x->priors,      &x->dev_type,    &x->dev_value,    &x->h[0].esp_id, &x->h[0].service,
	    &x->h[0].screen, &x->h[1].esp_id, &x->h[1].service, &x->h[1].screen, &x->events};

	memcpy(bufs, all, sizeof(all));
}

static void xml_init(struct xmldec *x)
{
	struct buf *bufs[XML_NBUFS];
	size_t i;

	package_init(&x->pkg);
	xml_bufs(x, bufs);
	for (i = 0; i < XML_NBUFS; i++)
		buf_init(bufs[i]);
}

static void xml_release(struct xmldec *x)
{
	struct buf *bufs[XML_NBUFS];
	size_t i;

	if (x->p)
		XML_ParserFree(x->p);
	package_release(&x->pkg);
	xml_bufs(x, bufs);
	for (i = 0; i < XML_NBUFS; i++)
		buf_release(bufs[i]);
	rt_free(x);
}

/* expat's own error (not well-formed, an undeclared entity, ...): stop. */
static void parse_error(struct xmldec *x)
{
	enum XML_Error e = XML_GetErrorCode(x->p);

	if (x->stop || e == XML_ERROR_ABORTED)
		return;
	if (e == XML_ERROR_UNDEFINED_ENTITY)
		return file_error(x, (unsigned long)XML_GetCurrentLineNumber(x->p),
		                  "an entity other than the five predefined ones and character "
		                  "references: refused");
	file_error(x, (unsigned long)XML_GetCurrentLineNumber(x->p),
	           "not well-formed XML (or not UTF-8), column %lu: %s",
	           (unsigned long)XML_GetCurrentColumnNumber(x->p) + 1, XML_ErrorString(e));
}

/*
 * Feed expat the file a buffer at a time. A token that expat must hold
 * whole (a tag, a comment) may not grow past the text limit.
 */
static void feed(struct xmldec *x, struct source *s)
{
	uint64_t fed = 0;

	for (;;) {
		bool last;

		if (s->pos >= s->len && source_fill(s, x->d) < 0) {
			x->rc = -1;
			return;
		}
		last = s->len == s->pos;
		if (XML_Parse(x->p, (const char *)s->buf + s->pos, (int)(s->len - s->pos), last) ==
		    XML_STATUS_ERROR)
			return parse_error(x);
		fed += s->len - s->pos;
		s->pos = s->len;
		if (x->stop || last)
			return;
		if (fed - (uint64_t)XML_GetCurrentByteIndex(x->p) > XML_MAX_TEXT + INGEST_CHUNK)
			return file_error(x, (unsigned long)XML_GetCurrentLineNumber(x->p),
			                  "a tag or comment of more than 1 MiB");
	}
}

int ingest_xml_decode(struct source *s, const struct ingest_opts *o, ingest_fn fn, void *ctx,
                      struct ingest_result *res, struct diag *d)
{
	struct xmldec *x;
	int rc;

	if (!o->token_key) {
		diag_at(d, s->name, 0, NULL);
		return diag_set(d, EX_CONFIG,
		                "CyberTipline XML needs the unit's token key (--token-key FILE or "
		                "REFTRIAGE_TOKEN_KEY); make one with 'reftriage keygen --token-key "
		                "FILE'");
	}
	x = rt_calloc(1, sizeof(*x));
	if (!x) {
		diag_at(d, s->name, 0, NULL);
		return diag_set(d, EX_SOFTWARE, "out of memory");
	}
	x->name = s->name, x->o = o, x->fn = fn;
	x->ctx = ctx, x->res = res, x->d = d;
	xml_init(x);
	x->p = new_parser(x);
	if (!x->p) {
		xml_release(x);
		diag_at(d, s->name, 0, NULL);
		return diag_set(d, EX_SOFTWARE, "out of memory");
	}
	feed(x, s);
	if (x->rc == 0 && !x->stop && x->in_rec)
		file_error(x, (unsigned long)XML_GetCurrentLineNumber(x->p), "the file ends early");
	rc = x->rc;
	xml_release(x);
	return rc < 0 ? -1 : 0;
}

enum ingest_sniff ingest_xml_sniff(const unsigned char *p, size_t n)
{
	(void)n;
	return p[0] == '<' ? SNIFF_YES : SNIFF_NO;
}
