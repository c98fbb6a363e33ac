/* Output helpers shared by the commands. */
#include "reftriage/cli.h"

#include "reftriage/text.h"

void cli_put_safe(FILE *f, const char *s, size_t n, const char *indent)
{
	size_t i = 0;

	while (i < n) {
		size_t ok = utf8_invalid_at(s + i, n - i), k;

		for (k = 0; k < ok; k++) {
			unsigned char c = (unsigned char)s[i + k];

			if (c == '\n') {
				fputc('\n', f);
				if (indent)
					fputs(indent, f);
			} else if (c == '\t') {
				fputc('\t', f);
			} else if (c < 0x20 || c == 0x7f) {
				fprintf(f, "\\x%02x", c);
			} else if (c == 0xc2 && k + 1 < ok && (unsigned char)s[i + k + 1] >= 0x80 &&
			           (unsigned char)s[i + k + 1] <= 0x9f) {
				/* C1 controls (U+0080-U+009F) can drive terminals too. */
				fprintf(f, "\\u%04x", (unsigned char)s[i + k + 1]);
				k++;
			} else {
				fputc(c, f);
			}
		}
		i += ok;
		if (i < n) {
			fprintf(f, "\\x%02x", (unsigned char)s[i]);
			i++;
		}
	}
}
