/* kioskctl.h — the commands of kioskctl, one .c file each. Each takes the
 * arguments after its name (argv[0] is the command name) and returns the
 * exit status: 0 done, 1 failed, 2 bad usage. */
#ifndef MC_KIOSKCTL_H
#define MC_KIOSKCTL_H

int cmd_status(int argc, char **argv);
int cmd_press(int argc, char **argv);
int cmd_counter(int argc, char **argv);
int cmd_tickets(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_issuing(int argc, char **argv);
int cmd_clock(int argc, char **argv);
int cmd_update(int argc, char **argv);
int cmd_diag(int argc, char **argv);
int cmd_gpio(int argc, char **argv);
int cmd_say(int argc, char **argv);
int cmd_announce(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_printer(int argc, char **argv);
int cmd_bus(int argc, char **argv);
int cmd_screenshot(int argc, char **argv);
int cmd_tap(int argc, char **argv);
int cmd_pin_hash(int argc, char **argv);
int cmd_central(int argc, char **argv);
/* report --central URL: the city-wide report (kioskctl-central.c). */
int cmd_report_central(int argc, char **argv);

#endif
