/* greeter: prints a greeting for each name on the command line (or for
 * GREETER_NAME, or "world"), chosen by the current UTC hour. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "greeting.h"

static int greet(const char *name, int hour)
{
    char line[256];
    int n = greeting_format(line, sizeof line, name, hour);

    if (n < 0) {
        perror("greeter");
        return 1;
    }
    if ((size_t)n >= sizeof line) {
        fprintf(stderr, "greeter: name too long\n");
        return 1;
    }
    return puts(line) == EOF;
}

int main(int argc, char **argv)
{
    time_t now = time(NULL);
    struct tm tm;
    int hour = 12;
    int status = 0;

    if (gmtime_r(&now, &tm) != NULL)
        hour = tm.tm_hour;

    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            status |= greet(argv[i], hour);
    } else {
        const char *name = getenv("GREETER_NAME");
        status = greet(name != NULL && *name != '\0' ? name : "world", hour);
    }
    return status == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
