/*
 * httpserver: the course's multi-threaded HTTP file server (DESIGN §2), in C11 with pthreads.
 *
 *   httpserver PORT [-N threads] [-l logfile] [--lock global|file] [--dir DIR] [--timeout SECONDS] [--io-delay MS]
 *
 * Threads (leader/follower, no dispatcher): the N workers all wait in one epoll set, each for one
 * event, and the worker that wakes up with a connection serves it itself. Every connection is in
 * the set once, edge-triggered, for as long as it is open, so letting it wait again costs no
 * epoll_ctl. Its state word (idle, busy, or busy with new bytes; and a generation) gives it to one
 * worker at a time: an event that finds it busy only marks it, and its worker reads again before
 * it lets it go. A worker reads what has arrived and serves at most ONE request. When bytes of a
 * next (pipelined) request are already buffered, it queues the connection on a ready list that an
 * eventfd in the same set announces, so that it is served after the connections that became ready
 * meanwhile. At most N requests are therefore in progress, and a keep-alive connection holds a
 * worker only while one of its requests is being served.
 *
 * The main thread accepts connections, ends the process on SIGTERM or SIGINT, and scans the idle
 * connections every 100 ms: one past its deadline is dropped, unless poll() shows that its bytes
 * have already arrived (the server itself was slow; its event is on the way).
 *
 * Slow clients: a request takes a worker only once its head (and, for a PUT, the first 64 KiB of
 * its body, or all of it if smaller) has arrived; until then the connection waits idle, and the
 * main thread drops it after --timeout without a byte. A worker waits on a client with poll() and
 * a deadline: a PUT body must bring 1 KiB per --timeout, a response must make progress within
 * --timeout.
 *
 * Open files: a GET or HEAD leaves its file open in a small table, and later requests of the name
 * use it instead of openat, fstat and close, for as long as inotify reports nothing that would make
 * a fresh open answer differently (see "files kept open between requests" below).
 */
#define _GNU_SOURCE
#include "http.h"
#include "log.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#define INITIAL_BUF (16 * 1024)
/* a PUT takes a worker once this much of its body (or all of it) is buffered */
#define PREBUFFER (64 * 1024)
/* a PUT body must bring this many bytes per --timeout once it holds a worker */
#define MIN_BODY_PROGRESS 1024
/* file data is read and sent in chunks of this size; a GET's response head goes just before */
#define IO_CHUNK LOG_CHUNK
#define HEADROOM 256
#define LOCK_STRIPES 4096
/* bytes discarded per wake-up from a connection that is being closed */
#define DRAIN_PER_EVENT (1024 * 1024)
#define SCAN_INTERVAL_MS 100
/* a worker serves a connection whose client keeps sending at most this many times in a row */
#define SERVE_ROUNDS 4
/* the table of files kept open between requests: at most this many slots */
#define OPEN_FILES 256
/* a file kept open is closed after this long unused */
#define FILE_IDLE_MS 10000
#define TEMP_PREFIX ".speedlab-tmp-"

static const char USAGE[] =
    "usage: httpserver PORT [-N threads] [-l logfile] [--lock global|file] [--dir DIR] [--timeout SECONDS] [--io-delay MS]\n"
    "\n"
    "  PORT                TCP port on 127.0.0.1 (0 picks a free one)\n"
    "  -N THREADS          worker threads (default 4)\n"
    "  -l LOGFILE          log every request in the course's hex format (truncated at start)\n"
    "  --lock global|file  one mutex for the whole request, or a readers-writer lock per file (default file)\n"
    "  --dir DIR           data directory (default: the current directory)\n"
    "  --timeout SECONDS   drop a client that sends or reads nothing for this long (default 10)\n"
    "  --io-delay MS       model a slow device: each request's storage work takes this much longer (default 0)\n";

static struct {
    int port;
    int threads;
    const char *log;
    bool global_lock;
    const char *dir;
    int64_t timeout_ms;
    int64_t io_delay_ms;
} opt = {.threads = 4, .dir = ".", .timeout_ms = 10000};

static int data_dir = -1;
static int epfd = -1;
static int listen_fd = -1;
static int spare_fd = -1;
static pid_t self_pid;

/* a connection's state, in the low bits of conn.state; the rest is its generation */
enum { C_IDLE, C_BUSY, C_AGAIN, C_CLOSED };
#define STATE_BITS 2u
#define STATE_MASK 3u
#define CONN_CHUNK 1024
#define CONN_CHUNKS 16384

struct conn {
    /*
     * C_IDLE: registered in the epoll set (edge-triggered), waiting for bytes; the scanner may drop it.
     * C_BUSY: one worker has it. C_AGAIN: bytes came while a worker had it, so that worker handles
     * it once more. C_CLOSED: closed; the struct waits for reuse, with a new generation.
     */
    _Atomic uint32_t state;
    uint32_t index;           /* its slot: with the generation, the connection's key in the epoll set */
    int fd;
    bool eof;                 /* the client half-closed: answer what it sent, then close */
    bool drained;             /* the last read emptied the socket (so an edge announces new bytes) */
    _Atomic bool hup;         /* an event reported the peer's FIN or an error: read until recv says so */
    _Atomic bool draining;    /* our side is shut down; reading and discarding until the client closes */
    char *buf;                /* received bytes not yet consumed are buf[off, len) */
    size_t off, len, cap;
    uint64_t discard;         /* bytes of an ignored GET/HEAD body still to skip */
    _Atomic int64_t deadline; /* while idle (or draining): when it is dropped */
    struct conn *prev, *next; /* the list of open connections, or of closed ones for reuse */
    struct conn *qnext;       /* the ready queue */
};

/*
 * Every connection slot, open or closed. Slots are never freed: an epoll event names a connection
 * by (slot, generation), and a worker holding an event of a connection that was closed meanwhile
 * finds a newer generation in the slot and ignores the event.
 */
static struct conn *_Atomic chunks[CONN_CHUNKS];
static struct {
    pthread_mutex_t mu;
    struct conn *open;   /* open connections, for the scanner */
    struct conn *closed; /* closed slots, for reuse */
    uint32_t slots;
} conns = {.mu = PTHREAD_MUTEX_INITIALIZER};

/*
 * Connections with a buffered (pipelined) request, waiting for a worker. Each one pushed writes
 * the eventfd `ready_fd`, which is in the epoll set edge-triggered, so it is served in turn with
 * the connections that became readable meanwhile, by whichever worker is free.
 */
static struct {
    pthread_mutex_t mu;
    struct conn *head, *tail;
} ready = {.mu = PTHREAD_MUTEX_INITIALIZER};
static int ready_fd = -1;
#define READY_KEY UINT64_MAX

static pthread_mutex_t global_lock = PTHREAD_MUTEX_INITIALIZER;
/* Per-file locks: a fixed table of readers-writer locks striped by a hash of the name. */
static pthread_rwlock_t stripes[LOCK_STRIPES];

struct worker {
    int id;
    unsigned char *io; /* HEADROOM + IO_CHUNK */
    struct log_buf log;
    unsigned long seq;
};

enum kind { A_FAIL, A_GET, A_HEAD, A_PUT, A_HEALTH };

/* One parsed request, ready to be served. */
struct action {
    enum kind kind;
    int status; /* A_FAIL */
    bool close;
    const char *line;
    size_t line_len;
    char name[MAX_NAME + 1];
    uint64_t length;
};

enum outcome { NEED_MORE, KEEP, CLOSE, DROP };

static void usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("httpserver: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n\n%s", USAGE);
    exit(2);
}

static void fatal(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("httpserver: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

/* Milliseconds on a monotonic clock; the coarse one (a tick or so) is plenty for timeouts of seconds. */
static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int poll_for(int fd, short events, int64_t deadline)
{
    int64_t left = deadline - now_ms();
    if (left <= 0)
        return 0;
    struct pollfd p = {.fd = fd, .events = events};
    int r = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
    return r < 0 && errno == EINTR ? 1 : r;
}

/* ---- connections ------------------------------------------------------------------------- */

static uint32_t gen_of(uint32_t state)
{
    return state >> STATE_BITS;
}

static uint32_t make_state(uint32_t gen, uint32_t st)
{
    return gen << STATE_BITS | st;
}

static uint64_t key_of(const struct conn *c)
{
    return (uint64_t)gen_of(atomic_load(&c->state)) << 32 | c->index;
}

static void list_unlink(struct conn **head, struct conn *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        *head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
}

static void list_push(struct conn **head, struct conn *c)
{
    c->prev = NULL;
    c->next = *head;
    if (*head)
        (*head)->prev = c;
    *head = c;
}

/* Closes the connection (a new generation makes its pending events stale); the caller owns it. */
static void conn_close_locked(struct conn *c)
{
    atomic_store(&c->state, make_state(gen_of(atomic_load(&c->state)) + 1, C_CLOSED));
    close(c->fd);
    c->fd = -1;
    free(c->buf);
    c->buf = NULL;
    list_unlink(&conns.open, c);
    list_push(&conns.closed, c);
}

static void conn_free(struct conn *c)
{
    pthread_mutex_lock(&conns.mu);
    conn_close_locked(c);
    pthread_mutex_unlock(&conns.mu);
}

/* A slot for a new connection, listed as open; NULL when out of memory or slots. Main thread only. */
static struct conn *conn_new(void)
{
    pthread_mutex_lock(&conns.mu);
    struct conn *c = conns.closed;
    if (c != NULL) {
        list_unlink(&conns.closed, c);
    } else if (conns.slots < (uint32_t)CONN_CHUNK * CONN_CHUNKS) {
        uint32_t i = conns.slots;
        struct conn *chunk = atomic_load(&chunks[i / CONN_CHUNK]);
        if (chunk == NULL) {
            chunk = calloc(CONN_CHUNK, sizeof *chunk);
            if (chunk != NULL)
                atomic_store(&chunks[i / CONN_CHUNK], chunk);
        }
        if (chunk != NULL) {
            c = &chunk[i % CONN_CHUNK];
            c->index = i;
            atomic_store(&c->state, make_state(0, C_CLOSED));
            conns.slots++;
        }
    }
    if (c != NULL)
        list_push(&conns.open, c);
    pthread_mutex_unlock(&conns.mu);
    return c;
}

/* The connection an epoll event names, now held by the caller; NULL if another worker has it or it was closed. */
static struct conn *claim(uint64_t key, uint32_t events)
{
    uint32_t index = (uint32_t)key, gen = (uint32_t)(key >> 32);
    if (index / CONN_CHUNK >= CONN_CHUNKS)
        return NULL;
    struct conn *chunk = atomic_load(&chunks[index / CONN_CHUNK]);
    if (chunk == NULL)
        return NULL;
    struct conn *c = &chunk[index % CONN_CHUNK];
    uint32_t s = atomic_load(&c->state);
    /*
     * A FIN (or an error) that came with bytes shows only after them: a short read does not
     * reach it, and its edge is spent. Whoever handles the connection next reads on until it does.
     */
    if (gen_of(s) == gen && (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
        atomic_store(&c->hup, true);
    for (;;) {
        if (gen_of(s) != gen)
            return NULL;
        switch (s & STATE_MASK) {
        case C_IDLE:
            if (atomic_compare_exchange_weak(&c->state, &s, make_state(gen, C_BUSY)))
                return c;
            break;
        case C_BUSY:
            /* its worker reads again before it lets the connection go */
            if (atomic_compare_exchange_weak(&c->state, &s, make_state(gen, C_AGAIN)))
                return NULL;
            break;
        default:
            return NULL;
        }
    }
}

/* Lets the connection wait in the epoll set; false if bytes came meanwhile (the caller still has it). */
static bool release(struct conn *c)
{
    uint32_t busy = make_state(gen_of(atomic_load(&c->state)), C_BUSY);
    if (atomic_compare_exchange_strong(&c->state, &busy, make_state(gen_of(busy), C_IDLE)))
        return true;
    atomic_store(&c->state, make_state(gen_of(busy), C_BUSY));
    return false;
}

/* Queues a connection that has a request buffered; the caller gives it up. */
static void push_ready(struct conn *c)
{
    pthread_mutex_lock(&ready.mu);
    c->qnext = NULL;
    if (ready.tail)
        ready.tail->qnext = c;
    else
        ready.head = c;
    ready.tail = c;
    pthread_mutex_unlock(&ready.mu);
    uint64_t one = 1;
    if (write(ready_fd, &one, sizeof one) != (ssize_t)sizeof one)
        fatal("eventfd write: %s", strerror(errno));
}

static struct conn *pop_ready(void)
{
    pthread_mutex_lock(&ready.mu);
    struct conn *c = ready.head;
    if (c != NULL) {
        ready.head = c->qnext;
        if (ready.head == NULL)
            ready.tail = NULL;
    }
    bool more = ready.head != NULL;
    pthread_mutex_unlock(&ready.mu);
    uint64_t one = 1;
    /* one edge per queued connection: the next one gets its own event */
    if (more && write(ready_fd, &one, sizeof one) != (ssize_t)sizeof one)
        fatal("eventfd write: %s", strerror(errno));
    return c;
}

static void consume(struct conn *c, size_t n)
{
    c->off += n;
    if (c->off == c->len)
        c->off = c->len = 0;
}

static void compact(struct conn *c)
{
    if (c->off == 0)
        return;
    memmove(c->buf, c->buf + c->off, c->len - c->off);
    c->len -= c->off;
    c->off = 0;
}

static bool make_room(struct conn *c, size_t need)
{
    compact(c);
    if (c->cap >= need)
        return true;
    char *b = realloc(c->buf, need);
    if (b == NULL)
        return false;
    c->buf = b;
    c->cap = need;
    return true;
}

/* A connection that grew for a PUT's prebuffer goes back to the initial size. */
static void shrink(struct conn *c)
{
    if (c->cap <= INITIAL_BUF || c->len - c->off > INITIAL_BUF)
        return;
    compact(c);
    char *b = realloc(c->buf, INITIAL_BUF);
    if (b != NULL) {
        c->buf = b;
        c->cap = INITIAL_BUF;
    }
}

/*
 * Reads what has arrived, without waiting. Returns the bytes read, or -1 when the connection failed.
 * Sets c->drained unless it stopped because the buffer is full (bytes may be left in the socket).
 */
static ssize_t read_available(struct conn *c)
{
    compact(c);
    ssize_t total = 0;
    c->drained = false;
    while (c->len < c->cap) {
        size_t room = c->cap - c->len;
        ssize_t n = recv(c->fd, c->buf + c->len, room, 0);
        if (n > 0) {
            c->len += (size_t)n;
            total += n;
            if ((size_t)n < room && !atomic_load(&c->hup)) {
                c->drained = true;
                break;
            }
        } else if (n == 0) {
            c->eof = true;
            c->drained = true;
            break;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            c->drained = true;
            break;
        } else if (errno != EINTR) {
            return -1;
        }
    }
    return total;
}

/* ---- socket and file I/O for workers ------------------------------------------------------ */

/* Sends everything, waiting while the client reads; fails when it takes nothing for --timeout. */
static int send_all(int fd, const void *data, size_t n)
{
    const char *p = data;
    int64_t deadline = 0; /* set when the socket is first full */
    while (n > 0) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k > 0) {
            p += k;
            n -= (size_t)k;
            deadline = 0;
        } else if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (deadline == 0)
                deadline = now_ms() + opt.timeout_ms;
            if (poll_for(fd, POLLOUT, deadline) <= 0)
                return -1;
        } else if (!(k < 0 && errno == EINTR)) {
            return -1;
        }
    }
    return 0;
}

struct progress {
    int64_t deadline;
    size_t window; /* bytes since the deadline was last moved */
};

/* Receives up to `want` body bytes. Returns the count, 0 at the client's EOF, -1 on error or stall. */
static ssize_t recv_body(int fd, void *into, size_t want, struct progress *pr)
{
    for (;;) {
        ssize_t n = recv(fd, into, want, 0);
        if (n > 0) {
            pr->window += (size_t)n;
            if (pr->window >= MIN_BODY_PROGRESS) {
                pr->window = 0;
                pr->deadline = now_ms() + opt.timeout_ms;
            }
            return n;
        }
        if (n == 0)
            return 0;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return -1;
        /* the recv above runs once more after a timed-out poll: bytes that came meanwhile count */
        if (now_ms() >= pr->deadline)
            return -1;
        if (poll_for(fd, POLLIN, pr->deadline) < 0)
            return -1;
    }
}

/* Reads up to `want` bytes at `offset`; fewer only at the end of the file or on an error. */
static size_t read_at(int fd, unsigned char *into, size_t want, uint64_t offset)
{
    size_t got = 0;
    while (got < want) {
        ssize_t n = pread(fd, into + got, want - got, (off_t)(offset + got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    return got;
}

static bool write_at(int fd, const void *data, size_t n, uint64_t offset)
{
    const char *p = data;
    for (size_t done = 0; done < n;) {
        ssize_t k = pwrite(fd, p + done, n - done, (off_t)(offset + done));
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            if (k == 0)
                errno = EIO;
            return false;
        }
        done += (size_t)k;
    }
    return true;
}

static int status_for(int err)
{
    switch (err) {
    case ENOENT:
        return 404;
    case EACCES:
    case EPERM:
    case ELOOP:
    case EISDIR:
    case ENOTDIR:
        return 403;
    default:
        return 500;
    }
}

/* ---- serving one request ------------------------------------------------------------------ */

static enum outcome finished(bool close)
{
    return close ? CLOSE : KEEP;
}

static enum outcome answer_fail(struct worker *w, struct conn *c, const struct action *a, int status, bool close)
{
    if (log_enabled())
        log_fail(&w->log, a->line, a->line_len, status);
    char out[160];
    size_t n = answer_response(out, status, close);
    return send_all(c->fd, out, n) == 0 ? finished(close) : DROP;
}

/*
 * GET /healthcheck with a log: `<failed entries>\n<total entries>`, no final newline, counted
 * before its own entry, which is then logged like any GET's (the course's reference does all three).
 */
static enum outcome serve_health(struct worker *w, struct conn *c, const struct action *a)
{
    uint32_t failed, total;
    log_counts(&failed, &total);
    char body[32], out[192];
    int bl = snprintf(body, sizeof body, "%u\n%u", failed, total);
    log_begin(&w->log, "GET", a->name, (uint64_t)bl, true);
    log_content(&w->log, (const unsigned char *)body, (size_t)bl, 0);
    log_finish(&w->log);
    size_t n = response_head(out, 200, (uint64_t)bl, a->close);
    memcpy(out + n, body, (size_t)bl);
    return send_all(c->fd, out, n + (size_t)bl) == 0 ? finished(a->close) : DROP;
}

static uint32_t hash_name(const char *name)
{
    uint32_t h = 0x811c9dc5u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h ^= *p;
        h *= 0x01000193u;
    }
    return h;
}

/*
 * ---- files kept open between requests ----------------------------------------------------------
 *
 * Opening, checking and closing a file costs more than reading a small one. So a GET or HEAD
 * leaves its file open in a table of slots (chosen by a hash of the name), and the next request of
 * that name uses it, as long as nothing could make a fresh openat answer differently. inotify says
 * what could: the data directory is watched for names that appear, vanish or move and for changes
 * of its own attributes, and each open file's inode for changes of content or attributes (size,
 * mode, owner, links), whatever path they come through. The kernel queues an event before the call
 * that caused it returns, so a request that arrives after a change finds its event queued; every
 * use of the table first applies the queued events (under files.mu, so that nobody trusts the
 * table halfway through) and closes the files they concern. The bytes themselves are always read
 * with pread at the time of the request. The table is used only on local filesystems (on a network
 * filesystem, changes made elsewhere raise no event); an inode open under two names stays out of it.
 */
struct open_file {
    _Atomic int refs; /* one for the table, one per request using it */
    int fd;
    int wd; /* its inode's watch */
    uint64_t size;
    int64_t used;
    char name[MAX_NAME + 1];
};

static struct {
    pthread_mutex_t mu;
    int ifd;  /* the inotify instance (set before the workers start, never closed); -1: none */
    bool on;  /* the table is in use (it is given up for good if the directory goes away) */
    int dir_wd;
    int n;   /* slots */
    struct open_file *slot[OPEN_FILES];
    /* changed by every event that may concern a slot, or all of them: an open that began before
       cannot be trusted to the table */
    uint32_t epoch[OPEN_FILES];
    uint32_t all_epoch;
} files = {.mu = PTHREAD_MUTEX_INITIALIZER, .ifd = -1};

static uint32_t slot_of(const char *name)
{
    return hash_name(name) % (uint32_t)files.n;
}

static void unref(struct open_file *f)
{
    if (atomic_fetch_sub(&f->refs, 1) == 1) {
        close(f->fd);
        free(f);
    }
}

static void drop_locked(uint32_t i)
{
    struct open_file *f = files.slot[i];
    if (f == NULL)
        return;
    files.slot[i] = NULL;
    inotify_rm_watch(files.ifd, f->wd);
    unref(f);
}

static void drop_all_locked(void)
{
    files.all_epoch++;
    for (int i = 0; i < files.n; i++)
        drop_locked((uint32_t)i);
}

static void apply_event_locked(const struct inotify_event *e)
{
    if (e->mask & IN_Q_OVERFLOW) {
        drop_all_locked();
    } else if (e->wd == files.dir_wd) {
        if (e->mask & IN_IGNORED) {
            /* the data directory is gone: no more table */
            drop_all_locked();
            files.on = false;
        } else if (e->len > 0 && e->name[0] != '\0') {
            if (strlen(e->name) <= MAX_NAME) {
                uint32_t i = slot_of(e->name);
                files.epoch[i]++;
                if (files.slot[i] != NULL && strcmp(files.slot[i]->name, e->name) == 0)
                    drop_locked(i);
            }
        } else if (e->mask & IN_ATTRIB) {
            /* the directory's own mode or owner: opens may now fail, or succeed */
            drop_all_locked();
        }
    } else {
        /* an open file's inode changed, or its watch went away (an unknown one: dropped already) */
        for (int i = 0; i < files.n; i++)
            if (files.slot[i] != NULL && files.slot[i]->wd == e->wd)
                drop_locked((uint32_t)i);
    }
}

/*
 * Applies the queued events. Events leave the queue only here, with files.mu held, so whoever
 * finds the queue empty and then takes files.mu sees the table with every earlier event applied.
 */
static void read_events_locked(void)
{
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    for (;;) {
        ssize_t n = read(files.ifd, buf, sizeof buf);
        if (n <= 0)
            break;
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *e = (const struct inotify_event *)p;
            if (files.on)
                apply_event_locked(e);
            p += sizeof *e + e->len;
        }
    }
}

/* The open file of that name, with a reference for the caller; NULL and the epochs to pass to adopt_file otherwise. */
static struct open_file *find_file(const char *name, uint32_t *epoch, uint32_t *all_epoch)
{
    if (files.ifd < 0)
        return NULL;
    /* one cheap look at the queue, outside the lock (see read_events_locked) */
    int queued = 0;
    if (ioctl(files.ifd, FIONREAD, &queued) != 0)
        queued = 1;
    struct open_file *f = NULL;
    pthread_mutex_lock(&files.mu);
    if (queued > 0)
        read_events_locked();
    if (files.on) {
        uint32_t i = slot_of(name);
        f = files.slot[i];
        if (f != NULL && strcmp(f->name, name) == 0) {
            atomic_fetch_add(&f->refs, 1);
            f->used = now_ms();
        } else {
            f = NULL;
            *epoch = files.epoch[i];
            *all_epoch = files.all_epoch;
        }
    }
    pthread_mutex_unlock(&files.mu);
    return f;
}

/* Done with a file of the table (it is closed here if it was dropped meanwhile). */
static void release_file(struct open_file *f)
{
    unref(f);
}

/*
 * Puts a file just opened into the table, with its inode watched. Returns it with a reference
 * for the caller (its size taken once it was watched), or NULL: then fd is still the caller's.
 * `epoch` and `all_epoch` are find_file's: the events applied since then must not concern it.
 */
static struct open_file *adopt_file(const char *name, int fd, uint32_t epoch, uint32_t all_epoch)
{
    struct open_file *f = malloc(sizeof *f);
    if (f == NULL)
        return NULL;
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    struct stat st;
    bool kept = false;
    pthread_mutex_lock(&files.mu);
    /* IN_MASK_CREATE: an inode open under another name already is left out */
    int wd = files.on ? inotify_add_watch(files.ifd, path, IN_MODIFY | IN_ATTRIB | IN_MASK_CREATE) : -1;
    if (wd < 0 && files.on && (errno == EINVAL || errno == ENOENT)) {
        /* an old kernel (no IN_MASK_CREATE) or no /proc: open files every time */
        drop_all_locked();
        files.on = false;
    }
    if (wd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        uint32_t i = slot_of(name);
        if (files.epoch[i] == epoch && files.all_epoch == all_epoch) {
            drop_locked(i);
            *f = (struct open_file){.refs = 2, .fd = fd, .wd = wd, .size = (uint64_t)st.st_size, .used = now_ms()};
            strcpy(f->name, name);
            files.slot[i] = f;
            /* the events queued meanwhile (a change since the open, or since the watch began) drop it again */
            read_events_locked();
            kept = files.on && files.slot[i] == f;
            if (!kept) {
                /* dropped: its watch is gone, the table's reference too; the descriptor stays the caller's */
                free(f);
                pthread_mutex_unlock(&files.mu);
                return NULL;
            }
        }
    }
    if (!kept && wd >= 0)
        inotify_rm_watch(files.ifd, wd);
    pthread_mutex_unlock(&files.mu);
    if (!kept) {
        free(f);
        return NULL;
    }
    return f;
}

/* Main thread, every scan: applies queued events (a deleted file is closed soon), closes files long unused. */
static void sweep_files(int64_t now)
{
    if (files.ifd < 0)
        return;
    pthread_mutex_lock(&files.mu);
    read_events_locked();
    if (files.on) {
        for (int i = 0; i < files.n; i++)
            if (files.slot[i] != NULL && now - files.slot[i]->used >= FILE_IDLE_MS)
                drop_locked((uint32_t)i);
    }
    pthread_mutex_unlock(&files.mu);
}

static void files_init(void)
{
    /*
     * Only where inotify sees every change: local filesystems. (On a network filesystem, changes
     * made on another machine raise no event.)
     */
    static const unsigned long local[] = {
        0x01021994, /* tmpfs */
        0x0000EF53, /* ext2, ext3, ext4 */
        0x58465342, /* xfs */
        0x9123683E, /* btrfs */
        0x794C7630, /* overlayfs */
    };
    struct statfs sf;
    bool is_local = false;
    if (fstatfs(data_dir, &sf) == 0)
        for (size_t k = 0; k < sizeof local / sizeof local[0]; k++)
            is_local |= (unsigned long)sf.f_type == local[k];
    if (!is_local)
        return;
    struct rlimit rl;
    long n = OPEN_FILES;
    /* never more than 1/16 of the descriptors */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && (long)(rl.rlim_cur / 16) < n)
        n = (long)(rl.rlim_cur / 16);
    if (n < 1)
        return;
    int ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (ifd < 0)
        return;
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", data_dir);
    int wd = inotify_add_watch(ifd, path, IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF | IN_ONLYDIR);
    if (wd < 0) {
        close(ifd);
        return;
    }
    files.ifd = ifd;
    files.on = true;
    files.dir_wd = wd;
    files.n = (int)n;
}

/*
 * Opens the named file for reading as openat with O_NOFOLLOW and an fstat would, or finds it open.
 * Returns the descriptor and the size, with *of set when it belongs to the table (release_file it,
 * do not close it); or -1 with the status to answer.
 */
static int open_regular(const char *name, uint64_t *size, int *status, struct open_file **of)
{
    uint32_t epoch = 0, all_epoch = 0;
    struct open_file *f = find_file(name, &epoch, &all_epoch);
    if (f != NULL) {
        *size = f->size;
        *of = f;
        return f->fd;
    }
    *of = NULL;
    int fd = openat(data_dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        *status = status_for(errno);
        return -1;
    }
    struct stat st;
    bool stat_ok = fstat(fd, &st) == 0;
    if (!stat_ok || !S_ISREG(st.st_mode)) {
        close(fd);
        *status = stat_ok ? 403 : 500;
        return -1;
    }
    *size = (uint64_t)st.st_size;
    f = adopt_file(name, fd, epoch, all_epoch);
    if (f != NULL) {
        *size = f->size;
        *of = f;
    }
    return fd;
}

static enum outcome serve_read(struct worker *w, struct conn *c, const struct action *a)
{
    uint64_t size = 0;
    int status = 500;
    struct open_file *of = NULL;
    int fd = open_regular(a->name, &size, &status, &of);
    if (fd < 0)
        return answer_fail(w, c, a, status, a->close);
    bool logging = log_enabled();
    char head[128];
    size_t hl = response_head(head, 200, size, a->close);
    if (a->kind == A_HEAD) {
        if (of != NULL)
            release_file(of);
        else
            close(fd);
        if (logging) {
            log_begin(&w->log, "HEAD", a->name, size, false);
            log_finish(&w->log);
        }
        return send_all(c->fd, head, hl) == 0 ? finished(a->close) : DROP;
    }

    if (logging)
        log_begin(&w->log, "GET", a->name, size, true);
    unsigned char *data = w->io + HEADROOM;
    memcpy(data - hl, head, hl);
    bool sending = true;
    uint64_t done = 0;
    /* per chunk: read, log, send; the log entry is complete before the last byte goes out */
    do {
        size_t want = size - done < IO_CHUNK ? (size_t)(size - done) : IO_CHUNK;
        size_t got = read_at(fd, data, want, done);
        if (got < want) {
            /* changed outside the server: the log entry still fills its reserved range */
            fprintf(stderr, "httpserver: GET /%s: the file shrank while it was read\n", a->name);
            memset(data + got, 0, want - got);
            sending = false;
        }
        if (logging) {
            log_content(&w->log, data, want, done);
            if (done + want >= size)
                log_finish(&w->log);
        }
        if (sending) {
            bool first = done == 0;
            if (send_all(c->fd, first ? data - hl : data, want + (first ? hl : 0)) != 0)
                sending = false;
        }
        done += want;
    } while (done < size && (sending || logging));
    if (of != NULL)
        release_file(of);
    else
        close(fd);
    return sending ? finished(a->close) : DROP;
}

static enum outcome serve_put(struct worker *w, struct conn *c, const struct action *a)
{
    /* until the whole body is read, an answer ends the connection: the stream cannot be resynced */
    bool unread = a->close || a->length > 0;
    struct stat st;
    if (fstatat(data_dir, a->name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (!S_ISREG(st.st_mode))
            return answer_fail(w, c, a, 403, unread);
    } else if (errno != ENOENT) {
        return answer_fail(w, c, a, 500, unread);
    }
    char temp[80];
    snprintf(temp, sizeof temp, TEMP_PREFIX "c%d-%d-%lu", (int)self_pid, w->id, ++w->seq);
    int fd = openat(data_dir, temp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return answer_fail(w, c, a, 500, unread);

    int err = 0;
    uint64_t got = c->len - c->off < a->length ? c->len - c->off : a->length;
    if (got > 0) {
        if (!write_at(fd, c->buf + c->off, (size_t)got, 0))
            err = errno;
        consume(c, (size_t)got);
    }
    struct progress pr = {now_ms() + opt.timeout_ms, 0};
    while (err == 0 && got < a->length) {
        size_t want = a->length - got < IO_CHUNK ? (size_t)(a->length - got) : IO_CHUNK;
        ssize_t n = recv_body(c->fd, w->io, want, &pr);
        if (n <= 0) {
            /* the client left or stalled mid-body: nobody to answer */
            close(fd);
            unlinkat(data_dir, temp, 0);
            if (log_enabled())
                log_fail(&w->log, a->line, a->line_len, 400);
            return DROP;
        }
        if (!write_at(fd, w->io, (size_t)n, got))
            err = errno;
        got += (uint64_t)n;
    }
    int status = 0;
    if (err == 0) {
        if (fstatat(data_dir, a->name, &st, AT_SYMLINK_NOFOLLOW) == 0)
            status = 200;
        else if (errno == ENOENT)
            status = 201;
        else
            err = errno;
    }
    if (err == 0 && renameat(data_dir, temp, data_dir, a->name) != 0)
        err = errno;
    if (err != 0) {
        close(fd);
        unlinkat(data_dir, temp, 0);
        return answer_fail(w, c, a, status_for(err) == 403 ? 403 : 500, a->close || got < a->length);
    }

    if (log_enabled()) {
        /* the body is read back from the file: a failed PUT must never leave a half entry */
        log_begin(&w->log, "PUT", a->name, a->length, true);
        for (uint64_t off = 0; off < a->length;) {
            size_t want = a->length - off < IO_CHUNK ? (size_t)(a->length - off) : IO_CHUNK;
            size_t r = read_at(fd, w->io, want, off);
            if (r < want)
                memset(w->io + r, 0, want - r);
            log_content(&w->log, w->io, want, off);
            off += want;
        }
        log_finish(&w->log);
    }
    close(fd);
    char out[160];
    size_t n = answer_response(out, status, a->close);
    return send_all(c->fd, out, n) == 0 ? finished(a->close) : DROP;
}

static uint32_t stripe_of(const char *name)
{
    return hash_name(name) % LOCK_STRIPES;
}

static enum outcome execute(struct worker *w, struct conn *c, const struct action *a)
{
    if (a->kind == A_HEALTH)
        return serve_health(w, c, a);
    pthread_rwlock_t *rw = NULL;
    if (opt.global_lock) {
        pthread_mutex_lock(&global_lock);
    } else if (a->kind != A_FAIL) {
        rw = &stripes[stripe_of(a->name)];
        if (a->kind == A_PUT)
            pthread_rwlock_wrlock(rw);
        else
            pthread_rwlock_rdlock(rw);
    }
    if (opt.io_delay_ms > 0 && a->kind != A_FAIL) {
        /* a modelled device: the storage work of a request takes this much longer, lock held */
        struct timespec d = {opt.io_delay_ms / 1000, (opt.io_delay_ms % 1000) * 1000000L};
        while (nanosleep(&d, &d) != 0 && errno == EINTR) {
        }
    }
    enum outcome o;
    switch (a->kind) {
    case A_GET:
    case A_HEAD:
        o = serve_read(w, c, a);
        break;
    case A_PUT:
        o = serve_put(w, c, a);
        break;
    default:
        o = answer_fail(w, c, a, a->status, a->close);
        break;
    }
    if (opt.global_lock)
        pthread_mutex_unlock(&global_lock);
    else if (rw != NULL)
        pthread_rwlock_unlock(rw);
    return o;
}

/* Serves the first request buffered on the connection, or says that it has not all arrived. */
static enum outcome process_one(struct worker *w, struct conn *c)
{
    if (c->discard > 0) {
        size_t have = c->len - c->off;
        size_t n = c->discard < have ? (size_t)c->discard : have;
        consume(c, n);
        c->discard -= n;
        if (c->discard > 0)
            return NEED_MORE;
    }
    size_t have = c->len - c->off;
    if (have == 0)
        return NEED_MORE;
    const char *p = c->buf + c->off;
    const char *end = memmem(p, have < MAX_HEAD_BYTES ? have : MAX_HEAD_BYTES, "\r\n\r\n", 4);
    struct action a = {.kind = A_FAIL, .status = 400, .close = true};
    if (end == NULL) {
        if (have <= MAX_HEAD_BYTES)
            return NEED_MORE;
        /* an oversized head: the rest of the stream cannot be framed; the FAIL entry shows the request line as far as it came within the limit */
        const char *eol = memmem(p, MAX_HEAD_BYTES, "\r\n", 2);
        a.line = p;
        a.line_len = eol ? (size_t)(eol - p) : MAX_HEAD_BYTES;
        return execute(w, c, &a);
    }
    size_t head_len = (size_t)(end - p) + 4;
    struct request req;
    bool ok = parse_head(p, (size_t)(end - p), &req);
    a.line = req.line;
    a.line_len = req.line_len;
    if (!ok)
        return execute(w, c, &a);
    if (req.method == M_OTHER || !valid_target(req.target, req.target_len) || (req.method == M_PUT && !req.has_length))
        return execute(w, c, &a);
    memcpy(a.name, req.target + 1, req.target_len - 1);
    a.name[req.target_len - 1] = '\0';
    a.length = req.has_length ? req.length : 0;
    a.close = req.close;
    /* never a file (the course's reference): GET answers the log's counts, or 404 without a log; other methods 403 */
    if (strcmp(a.name, "healthcheck") == 0) {
        if (req.method == M_GET && log_enabled()) {
            a.kind = A_HEALTH;
        } else if (req.method == M_GET) {
            a.status = 404;
        } else {
            a.status = 403;
            a.close = req.close || a.length > 0;
        }
    } else if (req.method == M_PUT) {
        size_t want = a.length < PREBUFFER ? (size_t)a.length : PREBUFFER;
        if (have - head_len < want)
            return make_room(c, head_len + want) ? NEED_MORE : DROP;
        a.kind = A_PUT;
    } else {
        a.kind = req.method == M_GET ? A_GET : A_HEAD;
    }
    /* the head stays in place (a.line points into it) until the connection reads again */
    consume(c, head_len);
    if (a.kind != A_PUT && !a.close) {
        c->discard = a.length;
        size_t n = c->discard < c->len - c->off ? (size_t)c->discard : c->len - c->off;
        consume(c, n);
        c->discard -= n;
    }
    return execute(w, c, &a);
}

/*
 * The client left (or stalled past --timeout) before the body of the PUT buffered on the
 * connection all came, so no worker has taken that PUT: its one FAIL entry is written here.
 * (A PUT a worker has taken is logged by serve_put.)
 */
static void log_abandoned_put(struct log_buf *b, const struct conn *c)
{
    if (!log_enabled() || c->discard > 0 || c->buf == NULL)
        return;
    size_t have = c->len - c->off;
    const char *p = c->buf + c->off;
    const char *end = memmem(p, have < MAX_HEAD_BYTES ? have : MAX_HEAD_BYTES, "\r\n\r\n", 4);
    if (end == NULL)
        return;
    struct request req;
    if (!parse_head(p, (size_t)(end - p), &req) || req.method != M_PUT || !req.has_length || !valid_target(req.target, req.target_len))
        return;
    if (req.target_len == 12 && memcmp(req.target, "/healthcheck", 12) == 0)
        return;
    if (have - ((size_t)(end - p) + 4) >= req.length)
        return;
    log_fail(b, req.line, req.line_len, 400);
}

/* What became of a connection a worker handled. */
enum next { WAIT, GONE };

static enum next drain(struct worker *w, struct conn *c)
{
    /* a closing connection gets --timeout in all, however much its client keeps sending */
    if (now_ms() >= atomic_load(&c->deadline)) {
        conn_free(c);
        return GONE;
    }
    for (size_t total = 0; total < DRAIN_PER_EVENT;) {
        ssize_t n = recv(c->fd, w->io, IO_CHUNK, 0);
        if (n > 0) {
            total += (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return WAIT;
        } else {
            conn_free(c);
            return GONE;
        }
    }
    /* more may be waiting in the socket, announced by no new edge: in line again */
    push_ready(c);
    return GONE;
}

/*
 * After a response that ends the connection: our FIN goes out behind it, and what the client
 * still sends is read and thrown away until it closes (or --timeout passes). Closing with unread
 * bytes would send a reset, which can destroy the response before the client has read it.
 */
static enum next close_gracefully(struct worker *w, struct conn *c)
{
    shutdown(c->fd, SHUT_WR);
    if (c->eof) {
        conn_free(c);
        return GONE;
    }
    atomic_store(&c->draining, true);
    c->off = c->len = 0;
    atomic_store(&c->deadline, now_ms() + opt.timeout_ms);
    return drain(w, c);
}

/*
 * Reads what has arrived and serves at most one request. WAIT: the connection may wait in the
 * epoll set for its next bytes; GONE: closed, or queued as ready (either way no longer the caller's).
 */
static enum next handle(struct worker *w, struct conn *c)
{
    if (atomic_load(&c->draining))
        return drain(w, c);
    bool active = false;
    if (!c->eof) {
        ssize_t got = read_available(c);
        if (got < 0) {
            log_abandoned_put(&w->log, c);
            conn_free(c);
            return GONE;
        }
        active = got > 0;
    } else {
        c->drained = true;
    }
    switch (process_one(w, c)) {
    case NEED_MORE:
        if (c->eof) {
            log_abandoned_put(&w->log, c);
            conn_free(c);
            return GONE;
        }
        if (active)
            atomic_store(&c->deadline, now_ms() + opt.timeout_ms);
        if (!c->drained) {
            /* the buffer filled before the socket was empty: read on after the others ready meanwhile */
            push_ready(c);
            return GONE;
        }
        return WAIT;
    case KEEP:
        shrink(c);
        atomic_store(&c->deadline, now_ms() + opt.timeout_ms);
        if (c->len > c->off || !c->drained) {
            /* a pipelined request is (or may be) here already: back in line behind the connections ready meanwhile */
            push_ready(c);
            return GONE;
        }
        if (c->eof) {
            conn_free(c);
            return GONE;
        }
        return WAIT;
    case CLOSE:
        return close_gracefully(w, c);
    case DROP:
        conn_free(c);
        return GONE;
    }
    return GONE;
}

/*
 * Serves a connection the caller holds until it waits for bytes again, is queued, or is closed.
 * Bytes that came while it was served (a client that sent its next request as soon as it had the
 * answer) are read at once, a few times in a row; then the connection goes back in line.
 */
static void serve(struct worker *w, struct conn *c)
{
    for (int round = 1; handle(w, c) == WAIT && !release(c); round++) {
        if (round == SERVE_ROUNDS) {
            push_ready(c);
            return;
        }
    }
}

/*
 * Leader/follower: every worker waits in the shared epoll set itself and serves the connection it
 * wakes up with; no thread hands work to another.
 */
static void *worker_main(void *arg)
{
    struct worker *w = arg;
    for (;;) {
        struct epoll_event ev;
        int n = epoll_wait(epfd, &ev, 1, -1);
        if (n < 0 && errno != EINTR)
            fatal("epoll_wait: %s", strerror(errno));
        struct conn *c = NULL;
        if (n == 1)
            c = ev.data.u64 == READY_KEY ? pop_ready() : claim(ev.data.u64, ev.events);
        if (c != NULL)
            serve(w, c);
    }
    return NULL;
}

/* ---- the main thread: accepting, dropping expired connections ------------------------------ */

static void accept_all(void)
{
    for (;;) {
        int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if ((errno == EMFILE || errno == ENFILE) && spare_fd >= 0) {
                /* out of descriptors: shed this connection instead of spinning on it */
                close(spare_fd);
                fd = accept(listen_fd, NULL, NULL);
                if (fd >= 0)
                    close(fd);
                spare_fd = open("/", O_RDONLY | O_CLOEXEC);
                continue;
            }
            return;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct conn *c = conn_new();
        char *buf = c != NULL ? malloc(INITIAL_BUF) : NULL;
        if (buf == NULL) {
            close(fd);
            if (c != NULL) {
                c->fd = -1;
                pthread_mutex_lock(&conns.mu);
                conn_close_locked(c);
                pthread_mutex_unlock(&conns.mu);
            }
            continue;
        }
        c->fd = fd;
        c->buf = buf;
        c->cap = INITIAL_BUF;
        c->off = c->len = 0;
        c->discard = 0;
        c->eof = c->drained = false;
        atomic_store(&c->draining, false);
        atomic_store(&c->hup, false);
        atomic_store(&c->deadline, now_ms() + opt.timeout_ms);
        atomic_store(&c->state, make_state(gen_of(atomic_load(&c->state)), C_IDLE));
        struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.u64 = key_of(c)};
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
            conn_free(c);
    }
}

/*
 * Drops idle connections past their deadline. Taking one out of C_IDLE fails if a worker claimed
 * it meanwhile; a worker that receives its event later finds a newer generation and ignores it.
 */
/* the main thread's own, for the entries of PUTs it drops */
static struct log_buf expire_log;

static void expire(int64_t now)
{
    pthread_mutex_lock(&conns.mu);
    for (struct conn *c = conns.open, *next; c != NULL; c = next) {
        next = c->next;
        uint32_t s = atomic_load(&c->state);
        if ((s & STATE_MASK) != C_IDLE || atomic_load(&c->deadline) > now)
            continue;
        if (!atomic_load(&c->draining)) {
            /* its bytes are already here (the server itself was slow): its event is on the way */
            struct pollfd p = {.fd = c->fd, .events = POLLIN};
            if (poll(&p, 1, 0) > 0)
                continue;
        }
        if (atomic_compare_exchange_strong(&c->state, &s, make_state(gen_of(s), C_BUSY))) {
            if (!atomic_load(&c->draining))
                log_abandoned_put(&expire_log, c);
            conn_close_locked(c);
        }
    }
    pthread_mutex_unlock(&conns.mu);
}

/* Removes temporary files: all of them at start (left by a crash), this process's at exit. */
static void remove_temp_files(const char *prefix)
{
    int fd = dup(data_dir);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (d == NULL) {
        if (fd >= 0)
            close(fd);
        return;
    }
    size_t pl = strlen(prefix);
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (strncmp(e->d_name, prefix, pl) == 0)
            unlinkat(data_dir, e->d_name, 0);
    closedir(d);
}

static void stop(void)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, TEMP_PREFIX "c%d-", (int)self_pid);
    close(listen_fd);
    remove_temp_files(prefix);
    _exit(0);
}

/* The main thread accepts connections, ends the process on a signal, and scans for expired connections. */
static void supervise(int signal_fd)
{
    struct pollfd fds[2] = {{.fd = listen_fd, .events = POLLIN}, {.fd = signal_fd, .events = POLLIN}};
    int64_t last_scan = now_ms();
    for (;;) {
        int64_t wait = last_scan + SCAN_INTERVAL_MS - now_ms();
        int n = poll(fds, 2, wait < 0 ? 0 : (int)wait);
        if (n < 0 && errno != EINTR)
            fatal("poll: %s", strerror(errno));
        if (n > 0 && (fds[1].revents & POLLIN)) {
            struct signalfd_siginfo si;
            if (read(signal_fd, &si, sizeof si) == (ssize_t)sizeof si)
                stop();
        }
        if (n > 0 && (fds[0].revents & POLLIN))
            accept_all();
        int64_t now = now_ms();
        if (now - last_scan >= SCAN_INTERVAL_MS) {
            expire(now);
            sweep_files(now);
            last_scan = now;
        }
    }
}

/* ---- start-up ----------------------------------------------------------------------------- */

static long integer(const char *flag, const char *v, long min, long max)
{
    if (v == NULL || *v == '\0' || strlen(v) > 9 || strspn(v, "0123456789") != strlen(v))
        usage_error("%s must be an integer from %ld to %ld (got %s%s%s)", flag, min, max, v ? "'" : "", v ? v : "nothing", v ? "'" : "");
    long n = strtol(v, NULL, 10);
    if (n < min || n > max)
        usage_error("%s must be an integer from %ld to %ld (got '%s')", flag, min, max, v);
    return n;
}

static void parse_args(int argc, char **argv)
{
    bool have_port = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            fputs(USAGE, stdout);
            exit(0);
        } else if (strcmp(arg, "-N") == 0) {
            opt.threads = (int)integer("-N", argv[++i], 1, 1024);
        } else if (strcmp(arg, "-l") == 0) {
            if (argv[++i] == NULL || argv[i][0] == '\0')
                usage_error("-l needs a log file path");
            opt.log = argv[i];
        } else if (strcmp(arg, "--lock") == 0) {
            const char *v = argv[++i];
            if (v == NULL || (strcmp(v, "global") != 0 && strcmp(v, "file") != 0))
                usage_error("--lock must be one of global, file (got %s)", v ? v : "nothing");
            opt.global_lock = strcmp(v, "global") == 0;
        } else if (strcmp(arg, "--dir") == 0) {
            if (argv[++i] == NULL || argv[i][0] == '\0')
                usage_error("--dir needs a directory");
            opt.dir = argv[i];
        } else if (strcmp(arg, "--timeout") == 0) {
            opt.timeout_ms = integer("--timeout", argv[++i], 1, 86400) * 1000;
        } else if (strcmp(arg, "--io-delay") == 0) {
            opt.io_delay_ms = integer("--io-delay", argv[++i], 0, 60000);
        } else if (arg[0] == '-') {
            usage_error("unknown option '%s'", arg);
        } else if (have_port) {
            usage_error("unexpected argument '%s'", arg);
        } else {
            opt.port = (int)integer("PORT", arg, 0, 65535);
            have_port = true;
        }
    }
    if (!have_port)
        usage_error("PORT is required");
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    self_pid = getpid();

    data_dir = open(opt.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (data_dir < 0)
        fatal("data directory %s: %s", opt.dir, strerror(errno));
    remove_temp_files(TEMP_PREFIX);
    if (opt.log != NULL && !log_open(opt.log))
        fatal("cannot create log file %s: %s", opt.log, strerror(errno));

    /* as many connections as the hard limit allows */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    spare_fd = open("/", O_RDONLY | O_CLOEXEC);

    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
#ifdef __GLIBC__
    /* a steady stream of GETs must not starve a PUT of the same file */
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
#endif
    for (int i = 0; i < LOCK_STRIPES; i++)
        pthread_rwlock_init(&stripes[i], &attr);
    pthread_rwlockattr_destroy(&attr);

    /* SIGTERM and SIGINT arrive through the main thread's signalfd; every thread inherits the mask */
    signal(SIGPIPE, SIG_IGN);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    int signal_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (signal_fd < 0)
        fatal("signalfd: %s", strerror(errno));

    listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (listen_fd < 0)
        fatal("socket: %s", strerror(errno));
    int one = 1;
    setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)opt.port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listen_fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(listen_fd, SOMAXCONN) != 0)
        fatal("cannot listen on 127.0.0.1:%d: %s", opt.port, strerror(errno));
    socklen_t alen = sizeof addr;
    getsockname(listen_fd, (struct sockaddr *)&addr, &alen);

    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0)
        fatal("epoll_create1: %s", strerror(errno));
    ready_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    struct epoll_event rev = {.events = EPOLLIN | EPOLLET, .data.u64 = READY_KEY};
    if (ready_fd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, ready_fd, &rev) != 0)
        fatal("eventfd: %s", strerror(errno));

    files_init();
    if (log_enabled() && !log_buf_init(&expire_log))
        fatal("out of memory");

    pthread_attr_t tattr;
    pthread_attr_init(&tattr);
    pthread_attr_setstacksize(&tattr, 256 * 1024);
    for (int i = 0; i < opt.threads; i++) {
        struct worker *w = calloc(1, sizeof *w);
        if (w == NULL || (w->io = malloc(HEADROOM + IO_CHUNK)) == NULL || (log_enabled() && !log_buf_init(&w->log)))
            fatal("out of memory");
        w->id = i;
        pthread_t t;
        int r = pthread_create(&t, &tattr, worker_main, w);
        if (r != 0)
            fatal("pthread_create: %s", strerror(r));
    }
    pthread_attr_destroy(&tattr);

    printf("listening on 127.0.0.1:%d\n", ntohs(addr.sin_port));
    fflush(stdout);
    supervise(signal_fd);
    return 0;
}
