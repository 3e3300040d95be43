#define _GNU_SOURCE
#include "http.h"

#include <string.h>

static bool is_tchar(unsigned char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))
        return true;
    return c != 0 && strchr("!#$%&'*+.^_`|~-", c) != NULL;
}

static bool is_token(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!is_tchar((unsigned char)s[i]))
            return false;
    return true;
}

/* The reference server trims header values with JavaScript's trim(); in Latin-1 that is these. */
static bool is_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0;
}

static void trim(const char **s, size_t *n)
{
    while (*n > 0 && is_space((unsigned char)**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && is_space((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

static bool equals_ci(const char *s, size_t n, const char *lower)
{
    size_t m = strlen(lower);
    if (n != m)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (c != (unsigned char)lower[i])
            return false;
    }
    return true;
}

static bool has_close_token(const char *v, size_t n)
{
    while (true) {
        const char *comma = memchr(v, ',', n);
        size_t len = comma ? (size_t)(comma - v) : n;
        const char *t = v;
        size_t tl = len;
        trim(&t, &tl);
        if (equals_ci(t, tl, "close"))
            return true;
        if (!comma)
            return false;
        v = comma + 1;
        n -= len + 1;
    }
}

static bool header(const char *h, size_t n, struct request *req)
{
    const char *colon = memchr(h, ':', n);
    if (colon == NULL || colon == h)
        return false;
    size_t key_len = (size_t)(colon - h);
    if (!is_token(h, key_len))
        return false;
    const char *v = colon + 1;
    size_t vl = n - key_len - 1;
    trim(&v, &vl);
    if (equals_ci(h, key_len, "content-length")) {
        if (vl < 1 || vl > 15)
            return false;
        uint64_t len = 0;
        for (size_t i = 0; i < vl; i++) {
            if (v[i] < '0' || v[i] > '9')
                return false;
            len = len * 10 + (uint64_t)(v[i] - '0');
        }
        if (req->has_length && req->length != len)
            return false;
        req->has_length = true;
        req->length = len;
    } else if (equals_ci(h, key_len, "transfer-encoding")) {
        return false;
    } else if (equals_ci(h, key_len, "connection")) {
        if (has_close_token(v, vl))
            req->close = true;
    }
    return true;
}

bool parse_head(const char *text, size_t n, struct request *req)
{
    memset(req, 0, sizeof *req);
    const char *eol = memmem(text, n, "\r\n", 2);
    size_t ll = eol ? (size_t)(eol - text) : n;
    req->line = text;
    req->line_len = ll;

    /* exactly three parts separated by single spaces */
    const char *end = text + ll;
    const char *sp1 = memchr(text, ' ', ll);
    if (sp1 == NULL)
        return false;
    const char *sp2 = memchr(sp1 + 1, ' ', (size_t)(end - sp1 - 1));
    if (sp2 == NULL || memchr(sp2 + 1, ' ', (size_t)(end - sp2 - 1)) != NULL)
        return false;
    size_t method_len = (size_t)(sp1 - text);
    if (!is_token(text, method_len))
        return false;
    if (end - sp2 - 1 != 8 || memcmp(sp2 + 1, "HTTP/1.1", 8) != 0)
        return false;
    req->target = sp1 + 1;
    req->target_len = (size_t)(sp2 - sp1 - 1);
    if (req->target_len == 0)
        return false;
    if (method_len == 3 && memcmp(text, "GET", 3) == 0)
        req->method = M_GET;
    else if (method_len == 3 && memcmp(text, "PUT", 3) == 0)
        req->method = M_PUT;
    else if (method_len == 4 && memcmp(text, "HEAD", 4) == 0)
        req->method = M_HEAD;

    const char *stop = text + n;
    for (const char *p = eol ? eol + 2 : stop; eol != NULL;) {
        eol = memmem(p, (size_t)(stop - p), "\r\n", 2);
        const char *line_end = eol ? eol : stop;
        if (!header(p, (size_t)(line_end - p), req))
            return false;
        p = line_end + 2;
    }
    return true;
}

bool valid_target(const char *t, size_t n)
{
    if (n < 2 || n > MAX_NAME + 1 || t[0] != '/')
        return false;
    for (size_t i = 1; i < n; i++) {
        unsigned char c = (unsigned char)t[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == '-'))
            return false;
    }
    return true;
}

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    default: return "Internal Server Error";
    }
}

static char *append(char *p, const char *s)
{
    size_t n = strlen(s);
    memcpy(p, s, n);
    return p + n;
}

size_t response_head(char *out, int status, uint64_t content_length, bool close)
{
    /* formatted by hand: this runs once per response */
    char *p = append(out, "HTTP/1.1 ");
    *p++ = (char)('0' + status / 100);
    *p++ = (char)('0' + status / 10 % 10);
    *p++ = (char)('0' + status % 10);
    *p++ = ' ';
    p = append(p, reason(status));
    p = append(p, "\r\nContent-Length: ");
    char digits[20];
    int n = 0;
    do {
        digits[n++] = (char)('0' + content_length % 10);
        content_length /= 10;
    } while (content_length != 0);
    while (n > 0)
        *p++ = digits[--n];
    p = append(p, close ? "\r\nConnection: close\r\n\r\n" : "\r\n\r\n");
    return (size_t)(p - out);
}

size_t answer_response(char *out, int status, bool close)
{
    if (status == 200) {
        size_t n = response_head(out, 200, 3, close);
        memcpy(out + n, "OK\n", 3);
        return n + 3;
    }
    /* the course's reference: the status line and Content-Length: 0, even when the connection closes */
    char *p = append(out, "HTTP/1.1 ");
    *p++ = (char)('0' + status / 100);
    *p++ = (char)('0' + status / 10 % 10);
    *p++ = (char)('0' + status % 10);
    *p++ = ' ';
    p = append(p, reason(status));
    p = append(p, "\r\nContent-Length: 0\r\n\r\n");
    return (size_t)(p - out);
}
