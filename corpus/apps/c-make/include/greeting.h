#ifndef GREETER_GREETING_H
#define GREETER_GREETING_H

#include <stddef.h>

/* Writes "<salutation>, <name>!" into buf (at most size bytes, always
 * terminated). Returns the length the full greeting needs, like snprintf. */
int greeting_format(char *buf, size_t size, const char *name, int hour);

/* The salutation for an hour of the day (0-23). */
const char *greeting_salutation(int hour);

#endif
