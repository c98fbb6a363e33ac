#include "reftriage/contract.h"

#include "reftriage/text.h"

static const char *const sources[] = {"CEOP",     "NCA",     "NCMEC",    "UCOL",  "FORCE",
                                      "INTERPOL", "EUROPOL", "INDUSTRY", "OTHER", NULL};
static const char *const referral_types[] = {
    "possession",           "distribution", "production", "grooming",
    "sexual_communication", "livestream",   "sextortion", "p2p",
    "ucol_contact",         "other",        NULL};
static const char *const classifications[] = {"OFFICIAL", "OFFICIAL-SENSITIVE", NULL};
static const char *const sexes[] = {"M", "F", "X", NULL};
const char *const contract_source_priorities[] = {"1", "2", "3", "E", "esp_high", NULL};
static const char *const dispositions[] = {"referral", "informational", NULL};

const char *const contract_ident_types[] = {"email",  "username", "ip",    "phone",
                                            "device", "payment",  "other", NULL};

#define STR(n, max)                                                                                \
	{                                                                                          \
		n, FT_STRING, false, 0, max, NULL                                                  \
	}
#define BOOL(n)                                                                                    \
	{                                                                                          \
		n, FT_BOOL, false, 0, 1, NULL                                                      \
	}
#define COUNT(n)                                                                                   \
	{                                                                                          \
		n, FT_INT, false, 0, CONTRACT_COUNT_MAX, NULL                                      \
	}

const struct field_def contract_fields[CONTRACT_NFIELDS] = {
    [F_PACKAGE_REF] = {"package_ref", FT_STRING, true, 3, 64, NULL},
    [F_RECEIVED_AT] = {"received_at", FT_DATETIME, true, 0, 0, NULL},
    [F_SOURCE] = {"source", FT_ENUM, true, 0, 0, sources},
    [F_REFERRAL_TYPE] = {"referral_type", FT_ENUM, true, 0, 0, referral_types},
    [F_FORCE_AREA] = STR("force_area", 64),
    [F_CLASSIFICATION] = {"classification", FT_ENUM, false, 0, 0, classifications},
    [F_SUMMARY] = STR("summary", 4000),
    [F_SUBJECT_REF] = STR("subject_ref", 128),
    [F_SUBJECT_AGE] = {"subject_age", FT_INT, false, 10, 120, NULL},
    [F_SUBJECT_SEX] = {"subject_sex", FT_ENUM, false, 0, 0, sexes},
    [F_SUBJECT_ACCESS_TO_CHILDREN] = BOOL("subject_access_to_children"),
    [F_SUBJECT_LIVES_WITH_CHILDREN] = BOOL("subject_lives_with_children"),
    [F_SUBJECT_PRIOR_SEXUAL_OFFENCE] = BOOL("subject_prior_sexual_offence"),
    [F_SUBJECT_PRIOR_CONTACT_OFFENCE] = BOOL("subject_prior_contact_offence"),
    [F_SUBJECT_REGISTERED_SEX_OFFENDER] = BOOL("subject_registered_sex_offender"),
    [F_SUBJECT_ON_BAIL_OR_LICENCE] = BOOL("subject_on_bail_or_licence"),
    [F_IMAGES_CAT_A] = COUNT("images_cat_a"),
    [F_IMAGES_CAT_B] = COUNT("images_cat_b"),
    [F_IMAGES_CAT_C] = COUNT("images_cat_c"),
    [F_VIDEOS_COUNT] = COUNT("videos_count"),
    [F_FIRST_GENERATION] = BOOL("first_generation"),
    [F_SELF_GENERATED] = BOOL("self_generated"),
    [F_DISTRIBUTION] = BOOL("distribution"),
    [F_LIVESTREAM_PAYMENT] = BOOL("livestream_payment"),
    [F_SEXUAL_COMMUNICATION] = BOOL("sexual_communication"),
    [F_IMAGE_REQUESTS] = BOOL("image_requests"),
    [F_MEETING_PROPOSED] = BOOL("meeting_proposed"),
    [F_MEETING_DATE] = {"meeting_date", FT_DATE, false, 0, 0, NULL},
    [F_TRAVEL_INDICATED] = BOOL("travel_indicated"),
    [F_COERCION_OR_THREATS] = BOOL("coercion_or_threats"),
    [F_CHILDREN_CONTACTED] = COUNT("children_contacted"),
    [F_CHILD_IDENTIFIED] = BOOL("child_identified"),
    [F_YOUNGEST_CHILD_AGE] = {"youngest_child_age", FT_INT, false, 0, 17, NULL},
    [F_CHILD_IN_HOUSEHOLD] = BOOL("child_in_household"),
    [F_CHILD_LOCATION_KNOWN] = BOOL("child_location_known"),
    [F_CHILD_SELF_HARM_RISK] = BOOL("child_self_harm_risk"),
    [F_ONGOING_CONTACT] = BOOL("ongoing_contact"),
    [F_IDENTIFIERS] = {"identifiers", FT_LIST, false, 0, 128, NULL},
    [F_SOURCE_PRIORITY] = {"source_priority", FT_ENUM, false, 0, 0, contract_source_priorities},
    [F_SOURCE_DISPOSITION] = {"source_disposition", FT_ENUM, false, 0, 0, dispositions},
    [F_BUNDLED_COUNT] = {"bundled_count", FT_INT, false, 1, CONTRACT_COUNT_MAX, NULL},
    [F_INCIDENT_AT] = {"incident_at", FT_DATETIME, false, 0, 0, NULL},
    [F_ESP_ESCALATED] = BOOL("esp_escalated"),
    [F_ESP_BATCHED] = BOOL("esp_batched"),
    [F_PRIOR_REPORTS] = COUNT("prior_reports"),
    [F_VICTIMS_REPORTED] = COUNT("victims_reported"),
    [F_FILES_REPORTED] = COUNT("files_reported"),
    [F_FILES_VIEWED_BY_ESP] = COUNT("files_viewed_by_esp"),
    [F_FILES_CLASS_A1] = COUNT("files_class_a1"),
    [F_FILES_CLASS_A2] = COUNT("files_class_a2"),
    [F_FILES_CLASS_B1] = COUNT("files_class_b1"),
    [F_FILES_CLASS_B2] = COUNT("files_class_b2"),
    [F_ESP_ANIME_DRAWING_VIRTUAL_HENTAI] = BOOL("esp_anime_drawing_virtual_hentai"),
    [F_ESP_POTENTIAL_MEME] = BOOL("esp_potential_meme"),
    [F_ESP_VIRAL] = BOOL("esp_viral"),
    [F_ESP_PHYSICAL_HARM] = BOOL("esp_physical_harm"),
    [F_ESP_VIOLENCE_GORE] = BOOL("esp_violence_gore"),
    [F_ESP_BESTIALITY] = BOOL("esp_bestiality"),
    [F_ESP_LIVE_STREAMING] = BOOL("esp_live_streaming"),
    [F_ESP_INFANT] = BOOL("esp_infant"),
    [F_ESP_GENERATIVE_AI] = BOOL("esp_generative_ai"),
    [F_ESP_CSAM_SOLICITATION] = BOOL("esp_csam_solicitation"),
    [F_ESP_MINOR_TO_MINOR_INTERACTION] = BOOL("esp_minor_to_minor_interaction"),
    [F_ESP_SPAM] = BOOL("esp_spam"),
    [F_ESP_SADISTIC_ONLINE_EXPLOITATION] = BOOL("esp_sadistic_online_exploitation"),
    [F_LE_AGENCY] = STR("le_agency", 128),
    [F_LE_CASE] = STR("le_case", 64),
};

int contract_lookup(const char *s, size_t len)
{
	int i;

	if (len == 0)
		return -1;
	for (i = 0; i < CONTRACT_NFIELDS; i++) {
		const char *name = contract_fields[i].name;

		/* The first byte first: called for every key of every record. */
		if (name[0] == s[0] && strlen(name) == len && memcmp(name, s, len) == 0)
			return i;
	}
	return -1;
}

const char *contract_suggest(const char *s, size_t len)
{
	const char *best = NULL;
	unsigned best_d = 4;
	int i;

	for (i = 0; i < CONTRACT_NFIELDS; i++) {
		const char *name = contract_fields[i].name;
		unsigned d = text_distance(s, len, name, strlen(name), 3);

		/* A case-only difference is always worth pointing out. */
		if (text_ieq(s, len, name))
			return name;
		if (d < best_d) {
			best_d = d;
			best = name;
		}
	}
	return best;
}

int contract_enum_index(const char *const *values, const char *s, size_t len)
{
	int i;

	for (i = 0; values[i]; i++)
		if (strlen(values[i]) == len && memcmp(values[i], s, len) == 0)
			return i;
	return -1;
}

void contract_enum_list(const char *const *values, char *dst, size_t dstsize)
{
	size_t o = 0;
	int i;

	dst[0] = '\0';
	for (i = 0; values[i] && o < dstsize; i++) {
		const char *sep = i == 0 ? "" : values[i + 1] ? ", " : " or ";
		int n = snprintf(dst + o, dstsize - o, "%s%s", sep, values[i]);

		if (n < 0)
			break;
		o += (size_t)n;
	}
}
