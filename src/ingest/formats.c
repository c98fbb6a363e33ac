/*
 * The input formats: one row each, indexed by enum ingest_format. A new
 * format is a new decoder file and a row added at the end (its position is
 * its enum ingest_format value; ingest_format_parse() finds it by name).
 */
#include "ingest-internal.h"

static const char *const csv_ext[] = {".csv", ".CSV", NULL};
static const char *const json_ext[] = {".json", ".JSON", NULL};
static const char *const ndjson_ext[] = {".ndjson", ".jsonl", ".NDJSON", NULL};
static const char *const ndjson_alias[] = {"jsonl", NULL};
static const char *const xml_ext[] = {".xml", ".XML", NULL};

const struct ingest_decoder ingest_decoders[] = {
    [INGEST_AUTO] = {NULL, NULL, NULL, NULL, NULL},
    [INGEST_CSV] = {"csv", NULL, csv_ext, ingest_csv_sniff, ingest_csv_decode},
    [INGEST_JSON] = {"json", NULL, json_ext, ingest_json_sniff, ingest_json_decode},
    /* Never sniffed: the JSON decoder reads a sequence of objects too. */
    [INGEST_NDJSON] = {"ndjson", ndjson_alias, ndjson_ext, NULL, ingest_ndjson_decode},
    /* CyberTipline reports (shared/spec/cybertip.md): expat, in xml.c only. */
    [INGEST_XML] = {"xml", NULL, xml_ext, ingest_xml_sniff, ingest_xml_decode},
};

const size_t ingest_ndecoders = sizeof(ingest_decoders) / sizeof(ingest_decoders[0]);
