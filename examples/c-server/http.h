/* Request heads, names and response heads of the course's protocol (DESIGN §2). */
#ifndef HTTP_H
#define HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A head, its final CRLFCRLF included, may be at most this long. */
#define MAX_HEAD_BYTES 8192
#define MAX_NAME 27

enum method { M_OTHER, M_GET, M_PUT, M_HEAD };

struct request {
    /* the request line as received (for FAIL log entries); set even when the head is malformed */
    const char *line;
    size_t line_len;
    enum method method;
    const char *target;
    size_t target_len;
    bool has_length;
    uint64_t length;
    bool close;
};

/* Parses a head given without its final CRLFCRLF. Returns false when it is malformed. */
bool parse_head(const char *text, size_t n, struct request *req);

/* `/` then 1-27 characters of [A-Za-z0-9_-]. */
bool valid_target(const char *target, size_t n);

/* Writes `HTTP/1.1 STATUS REASON`, Content-Length and, if `close`, Connection: close; returns the length (< 128). */
size_t response_head(char *out, int status, uint64_t content_length, bool close);

/*
 * A whole response without content, to any method: 201 and every error status are the status line
 * and `Content-Length: 0`, nothing else; a PUT that replaced a file (200) answers `OK\n`, with
 * Connection: close if `close`. Returns the length (< 160).
 */
size_t answer_response(char *out, int status, bool close);

#endif
