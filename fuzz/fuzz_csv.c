/* Fuzz the CSV reader (batch issuance input): read every row, past bad
 * rows, to the end. Properties: fields stay inside their limits and rows
 * never go backwards, and the reader always reaches the end. */
#include "fuzz_common.h"
#include "leerpas/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lp_csv r;
	if (lp_csv_init(&r, lp_view_of(data, size)) != LP_OK)
		return 0;
	static lp_csv_row row;
	size_t last_line = 0;
	bool ended = false;
	/* every call consumes at least one line, so size + 2 calls reach the end */
	for (size_t n = 0; n < size + 2 && !ended; n++) {
		lp_diag d;
		lp_err rc = lp_csv_next(&r, &row, &d);
		if (rc == LP_ERR_NOT_FOUND) {
			ended = true;
		} else if (rc == LP_ERR_CSV) {
			FZ_CHECK(r.err_line > last_line || r.err_line == 0 || last_line == 0 || r.err_line >= last_line);
		} else if (rc == LP_OK) {
			FZ_CHECK(row.count <= LP_CSV_MAX_FIELDS);
			FZ_CHECK(row.line > last_line);
			last_line = row.line;
			for (size_t i = 0; i < row.count; i++)
				FZ_CHECK(row.field[i].len <= LP_CSV_MAX_FIELD);
		} else {
			ended = true; /* a resource error ends the file */
		}
	}
	FZ_CHECK(ended);
	lp_csv_free(&r);
	return 0;
}
