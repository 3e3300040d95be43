/*
 * The course's full log (DESIGN §2), written with reserved offsets: an entry's exact size is
 * computed first, its byte range reserved with an atomic fetch-add on the log's end offset, then
 * filled with positional writes, so threads write their entries in parallel and never interleave.
 * (Under --lock global every entry is written inside the global lock, so appends are serialized.)
 */
#ifndef LOG_H
#define LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* content bytes hex-dumped per positional write: a multiple of the 20 bytes of a line */
#define LOG_CHUNK (20 * 6554)

/* One thread's entry in progress: its reserved range and the bytes not yet written to it. */
struct log_buf {
    char *buf;
    size_t len;
    size_t cap;
    uint64_t at;  /* log offset of buf[0] */
    uint64_t end; /* end of the reserved range */
};

/* Opens (and truncates) the log; false with errno set on failure. */
bool log_open(const char *path);
bool log_enabled(void);
void log_counts(uint32_t *failed, uint32_t *total);

bool log_buf_init(struct log_buf *b);

/* `FAIL: <request line> --- response CODE`; the line must be shorter than LOG_CHUNK */
void log_fail(struct log_buf *b, const char *line, size_t line_len, int status);

/*
 * A success entry in three steps: the header (reserves the whole entry), the content in order
 * (chunks of a multiple of 20 bytes, except the last), then the terminator, which writes out
 * what is left and counts the entry. HEAD entries have no content.
 */
void log_begin(struct log_buf *b, const char *method, const char *name, uint64_t length, bool with_content);
void log_content(struct log_buf *b, const unsigned char *data, size_t n, uint64_t offset);
void log_finish(struct log_buf *b);

/* Exact size of the hex dump of n bytes (exposed for the self-check in log.c). */
uint64_t hexdump_size(uint64_t n);

#endif
