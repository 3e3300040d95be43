#define _GNU_SOURCE
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OFFSET_DIGITS 8
#define BYTES_PER_LINE 20
#define TERMINATOR "========\n"
#define TERMINATOR_LEN 9
/* upper bound of one hex line: a 20-digit offset, 20 x " xx", "\n" */
#define MAX_LINE (20 + 3 * BYTES_PER_LINE + 1)
#define BUF_CAP ((LOG_CHUNK / BYTES_PER_LINE) * MAX_LINE + 1024)

static int log_fd = -1;
static _Atomic uint64_t log_end;
static _Atomic uint32_t entries_total;
static _Atomic uint32_t entries_failed;
static atomic_bool write_error_reported;
static char hex_triples[256][3];

bool log_open(const char *path)
{
    /* not O_APPEND: positional writes must land where they were reserved */
    log_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (log_fd < 0)
        return false;
    static const char digits[] = "0123456789abcdef";
    for (int b = 0; b < 256; b++) {
        hex_triples[b][0] = ' ';
        hex_triples[b][1] = digits[b >> 4];
        hex_triples[b][2] = digits[b & 15];
    }
    return true;
}

bool log_enabled(void)
{
    return log_fd >= 0;
}

void log_counts(uint32_t *failed, uint32_t *total)
{
    *failed = atomic_load(&entries_failed);
    *total = atomic_load(&entries_total);
}

bool log_buf_init(struct log_buf *b)
{
    memset(b, 0, sizeof *b);
    b->buf = malloc(BUF_CAP);
    b->cap = BUF_CAP;
    return b->buf != NULL;
}

uint64_t hexdump_size(uint64_t n)
{
    uint64_t lines = (n + BYTES_PER_LINE - 1) / BYTES_PER_LINE;
    uint64_t size = 3 * n + lines * (OFFSET_DIGITS + 1);
    /* every line whose offset has more than 8 digits is one byte longer per extra digit */
    for (uint64_t limit = 100000000ULL; limit < n; limit *= 10) {
        uint64_t first_line = (limit + BYTES_PER_LINE - 1) / BYTES_PER_LINE;
        if (first_line < lines)
            size += lines - first_line;
        if (limit > UINT64_MAX / 10)
            break;
    }
    return size;
}

static void flush(struct log_buf *b)
{
    size_t done = 0;
    while (done < b->len) {
        ssize_t n = pwrite(log_fd, b->buf + done, b->len - done, (off_t)(b->at + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (!atomic_exchange(&write_error_reported, true))
                fprintf(stderr, "httpserver: writing the log failed: %s\n", n < 0 ? strerror(errno) : "no progress");
            break;
        }
        done += (size_t)n;
    }
    b->at += b->len;
    b->len = 0;
}

static void reserve(struct log_buf *b, uint64_t size)
{
    b->at = atomic_fetch_add(&log_end, size);
    b->end = b->at + size;
    b->len = 0;
}

void log_fail(struct log_buf *b, const char *line, size_t line_len, int status)
{
    /*
     * The request line whole, as the course's reference logs it (the head's limit bounds it, far
     * below the buffer's size); bytes that are not printable ASCII become '?', so an entry stays
     * one line.
     */
    char *p = b->buf;
    memcpy(p, "FAIL: ", 6);
    p += 6;
    for (size_t i = 0; i < line_len; i++) {
        unsigned char c = (unsigned char)line[i];
        *p++ = c >= 0x20 && c <= 0x7e ? (char)c : '?';
    }
    p += sprintf(p, " --- response %d\n" TERMINATOR, status);
    size_t size = (size_t)(p - b->buf);
    reserve(b, size);
    b->len = size;
    flush(b);
    atomic_fetch_add(&entries_failed, 1);
    atomic_fetch_add(&entries_total, 1);
}

void log_begin(struct log_buf *b, const char *method, const char *name, uint64_t length, bool with_content)
{
    char header[96];
    int hl = snprintf(header, sizeof header, "%s /%s length %llu\n", method, name, (unsigned long long)length);
    reserve(b, (uint64_t)hl + (with_content ? hexdump_size(length) : 0) + TERMINATOR_LEN);
    memcpy(b->buf, header, (size_t)hl);
    b->len = (size_t)hl;
}

static size_t put_offset(char *p, uint64_t v)
{
    char tmp[20];
    int i = 20;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (20 - i < OFFSET_DIGITS)
        tmp[--i] = '0';
    memcpy(p, tmp + i, (size_t)(20 - i));
    return (size_t)(20 - i);
}

void log_content(struct log_buf *b, const unsigned char *data, size_t n, uint64_t offset)
{
    size_t lines = (n + BYTES_PER_LINE - 1) / BYTES_PER_LINE;
    /* room for the terminator too, so that log_finish never overflows */
    if (b->len + lines * MAX_LINE + TERMINATOR_LEN > b->cap)
        flush(b);
    char *p = b->buf + b->len;
    for (size_t i = 0; i < n; i += BYTES_PER_LINE) {
        p += put_offset(p, offset + i);
        size_t end = i + BYTES_PER_LINE < n ? i + BYTES_PER_LINE : n;
        for (size_t j = i; j < end; j++) {
            memcpy(p, hex_triples[data[j]], 3);
            p += 3;
        }
        *p++ = '\n';
    }
    b->len = (size_t)(p - b->buf);
}

void log_finish(struct log_buf *b)
{
    memcpy(b->buf + b->len, TERMINATOR, TERMINATOR_LEN);
    b->len += TERMINATOR_LEN;
    if (b->at + b->len != b->end)
        fprintf(stderr, "httpserver: a log entry ends at %llu, its reserved range at %llu\n",
                (unsigned long long)(b->at + b->len), (unsigned long long)b->end);
    flush(b);
    atomic_fetch_add(&entries_total, 1);
}
