/*
 * The referral package data contract (shared/spec/data-contract.md) as data:
 * one entry per field, in contract order. Everything that validates, encodes
 * or documents a field reads this table, so the contract lives in one place.
 */
#ifndef REFTRIAGE_CONTRACT_H
#define REFTRIAGE_CONTRACT_H

#include "reftriage/compat.h"

enum field_type {
	FT_STRING,
	FT_DATETIME, /* RFC 3339 or a date; stored as UTC microseconds */
	FT_DATE,     /* YYYY-MM-DD; stored as days since 1970-01-01 */
	FT_ENUM,
	FT_INT,
	FT_BOOL,
	FT_LIST, /* identifiers */
};

enum field_id {
	F_PACKAGE_REF,
	F_RECEIVED_AT,
	F_SOURCE,
	F_REFERRAL_TYPE,
	F_FORCE_AREA,
	F_CLASSIFICATION,
	F_SUMMARY,
	F_SUBJECT_REF,
	F_SUBJECT_AGE,
	F_SUBJECT_SEX,
	F_SUBJECT_ACCESS_TO_CHILDREN,
	F_SUBJECT_LIVES_WITH_CHILDREN,
	F_SUBJECT_PRIOR_SEXUAL_OFFENCE,
	F_SUBJECT_PRIOR_CONTACT_OFFENCE,
	F_SUBJECT_REGISTERED_SEX_OFFENDER,
	F_SUBJECT_ON_BAIL_OR_LICENCE,
	F_IMAGES_CAT_A,
	F_IMAGES_CAT_B,
	F_IMAGES_CAT_C,
	F_VIDEOS_COUNT,
	F_FIRST_GENERATION,
	F_SELF_GENERATED,
	F_DISTRIBUTION,
	F_LIVESTREAM_PAYMENT,
	F_SEXUAL_COMMUNICATION,
	F_IMAGE_REQUESTS,
	F_MEETING_PROPOSED,
	F_MEETING_DATE,
	F_TRAVEL_INDICATED,
	F_COERCION_OR_THREATS,
	F_CHILDREN_CONTACTED,
	F_CHILD_IDENTIFIED,
	F_YOUNGEST_CHILD_AGE,
	F_CHILD_IN_HOUSEHOLD,
	F_CHILD_LOCATION_KNOWN,
	F_CHILD_SELF_HARM_RISK,
	F_ONGOING_CONTACT,
	F_IDENTIFIERS,
	/* Contract v2: fields from the source systems (CyberTipline). */
	F_SOURCE_PRIORITY,
	F_SOURCE_DISPOSITION,
	F_BUNDLED_COUNT,
	F_INCIDENT_AT,
	F_ESP_ESCALATED,
	F_ESP_BATCHED,
	F_PRIOR_REPORTS,
	F_VICTIMS_REPORTED,
	F_FILES_REPORTED,
	F_FILES_VIEWED_BY_ESP,
	F_FILES_CLASS_A1,
	F_FILES_CLASS_A2,
	F_FILES_CLASS_B1,
	F_FILES_CLASS_B2,
	F_ESP_ANIME_DRAWING_VIRTUAL_HENTAI,
	F_ESP_POTENTIAL_MEME,
	F_ESP_VIRAL,
	F_ESP_PHYSICAL_HARM,
	F_ESP_VIOLENCE_GORE,
	F_ESP_BESTIALITY,
	F_ESP_LIVE_STREAMING,
	F_ESP_INFANT,
	F_ESP_GENERATIVE_AI,
	F_ESP_CSAM_SOLICITATION,
	F_ESP_MINOR_TO_MINOR_INTERACTION,
	F_ESP_SPAM,
	F_ESP_SADISTIC_ONLINE_EXPLOITATION,
	/*
	 * Appended, not beside the other v2 fields: stored facts name a field by
	 * its place here (package.c), so a new field only ever goes at the end.
	 */
	F_LE_AGENCY,
	F_LE_CASE,
	CONTRACT_NFIELDS
};

/* The first and last contract v2 field (shown together as "source"). */
#define F_SOURCE_FIRST F_SOURCE_PRIORITY
#define F_SOURCE_LAST  F_LE_CASE

/* Words in a field bit set (struct package's known and seen). */
#define CONTRACT_MASK_WORDS ((CONTRACT_NFIELDS + 63) / 64)

struct field_def {
	const char *name;
	enum field_type type;
	bool required;
	int64_t min, max;          /* FT_INT: range; FT_STRING: max bytes in max */
	const char *const *values; /* FT_ENUM: NULL-terminated list */
};

extern const struct field_def contract_fields[CONTRACT_NFIELDS];

/* source_priority's values. */
extern const char *const contract_source_priorities[];

/* Identifier types, for the identifiers list. */
extern const char *const contract_ident_types[];

/* Largest count a ">= 0" integer field accepts. */
#define CONTRACT_COUNT_MAX INT32_MAX

/* The field named s[0..len), or -1 when the name is not in the contract. */
int contract_lookup(const char *s, size_t len);

/* The field name closest to s (edit distance <= 3), or NULL. */
const char *contract_suggest(const char *s, size_t len);

/* Index of s[0..len) in a NULL-terminated list, or -1. */
int contract_enum_index(const char *const *values, const char *s, size_t len);

/* "A, B or C" for a NULL-terminated list, into dst. */
void contract_enum_list(const char *const *values, char *dst, size_t dstsize);

#endif
