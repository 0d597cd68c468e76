/*
 * chhost runs the ClickHouse engine shipped as libchdb.so as a local server.
 *
 * libchdb.so embeds clickhouse-local. Its command-line entry point,
 * chdb_query_cmdline, is the only one that can open the TCP and HTTP
 * listeners (SYSTEM START LISTEN ...), and the listeners stay open only while
 * that command line is running a query. chhost therefore starts the
 * listeners and then runs a query that never ends.
 *
 * Usage: chhost LIBCHDB_SO [clickhouse-local options...]
 *   e.g. chhost lib/libchdb.so --config-file=config.xml --path=data
 *
 * The engine stays in its own process, away from any Go runtime. Stop it
 * with SIGTERM (or SIGKILL): MergeTree parts are written atomically, so no
 * acknowledged insert is lost.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct chdb_result chdb_result;

typedef chdb_result *(*query_cmdline_fn)(int argc, char **argv);
typedef const char *(*result_error_fn)(chdb_result *);

/* Start both listeners, then block: system.numbers is unbounded and
 * sleepEachRow(1) with one-row blocks yields one row a second, so the query
 * runs until the process is stopped. count() keeps the result at one row.
 * The WHERE matters: without a use of the sleep's result the optimizer drops
 * the column, and the query counts system.numbers flat out, burning a whole
 * core while the server is idle. */
static const char *serve_query =
    "SYSTEM START LISTEN TCP; "
    "SYSTEM START LISTEN HTTP; "
    "SELECT count() FROM (SELECT sleepEachRow(1) AS s FROM system.numbers WHERE s = 0) "
    "SETTINGS function_sleep_max_microseconds_per_block = 0, "
    "max_block_size = 1, max_execution_time = 0";

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s LIBCHDB_SO [clickhouse-local options...]\n", argv[0]);
        return 2;
    }

    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        fprintf(stderr, "chhost: load %s: %s\n", argv[1], dlerror());
        return 1;
    }
    query_cmdline_fn query_cmdline = (query_cmdline_fn)dlsym(lib, "chdb_query_cmdline");
    result_error_fn result_error = (result_error_fn)dlsym(lib, "chdb_result_error");
    if (query_cmdline == NULL || result_error == NULL) {
        fprintf(stderr, "chhost: %s lacks chdb_query_cmdline/chdb_result_error\n", argv[1]);
        return 1;
    }

    /* argv for clickhouse-local: program name, the caller's options, then
     * --multiquery --query QUERY. */
    int n = argc - 2;
    char **args = calloc((size_t)n + 5, sizeof(char *));
    if (args == NULL) {
        perror("chhost: calloc");
        return 1;
    }
    int k = 0;
    args[k++] = "clickhouse";
    for (int i = 0; i < n; i++) {
        args[k++] = argv[i + 2];
    }
    args[k++] = "--multiquery";
    args[k++] = "--query";
    args[k++] = (char *)serve_query;
    args[k] = NULL;

    fprintf(stderr, "chhost: serving (pid %d)\n", (int)getpid());
    fflush(stderr);

    chdb_result *res = query_cmdline(k, args);
    const char *err = res == NULL ? "no result" : result_error(res);
    if (err != NULL && err[0] != '\0') {
        fprintf(stderr, "chhost: serve query ended: %s\n", err);
        return 1;
    }
    /* The query is unbounded; getting here means it was cancelled. */
    fprintf(stderr, "chhost: serve query ended\n");
    return 0;
}
