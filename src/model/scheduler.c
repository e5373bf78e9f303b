/*
 * scheduler.c - the thread of periodic jobs, one tick at a time across processes
 * (scheduler.h).
 */
#include "model/scheduler.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/util.h"
#include "db/db.h"
#include "model/lease.h"
#include "model/notify.h"

static const char lease_name[] = "scheduler";

int scheduler_tick(struct db *db, const char *holder, int64_t now, int64_t ttl_s, bool *ran,
		   int *sent)
{
	int n = 0, rc;

	if (ran)
		*ran = false;
	if (sent)
		*sent = 0;
	rc = db_begin_write(db);
	if (rc)
		return rc;
	rc = lease_take(db, lease_name, holder, now, ttl_s);
	if (rc == ERR_CONFLICT) {
		db_rollback(db); /* another process's turn */
		return ERR_OK;
	}
	if (!rc)
		rc = notify_reminders(db, now, &n);
	if (!rc)
		rc = db_commit(db);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	if (ran)
		*ran = true;
	if (sent)
		*sent = n;
	return ERR_OK;
}

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	bool running, stopping;
	int tick_s;
	char *path;
	char holder[96];
} sched = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

static void *worker(void *arg)
{
	struct db *db = NULL;
	struct timespec until;
	bool ran, stop = false;
	int sent, rc;
	(void)arg;

	if (db_open(sched.path, 0, &db)) {
		log_error("scheduler: cannot open the database");
		return NULL;
	}
	while (!stop) {
		rc = scheduler_tick(db, sched.holder, time_now(), 2 * (int64_t)sched.tick_s + 5,
				    &ran, &sent);
		if (rc)
			log_error("scheduler: the tick failed: %s", err_name(rc));
		else if (sent)
			log_info("scheduler: sent %d reminders", sent);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += sched.tick_s;
		pthread_mutex_lock(&sched.lock);
		while (!sched.stopping)
			if (pthread_cond_timedwait(&sched.wake, &sched.lock, &until) == ETIMEDOUT)
				break;
		stop = sched.stopping;
		pthread_mutex_unlock(&sched.lock);
	}
	if (lease_release(db, lease_name, sched.holder))
		log_warn("scheduler: the lease could not be given up (it expires by itself)");
	db_close(db);
	return NULL;
}

int scheduler_start(const char *db_path, int tick_s)
{
	if (sched.running || tick_s < 1 || tick_s > 86400)
		return ERR_INVALID;
	sched.path = strdup(db_path);
	if (!sched.path)
		return ERR_NOMEM;
	sched.tick_s = tick_s;
	sched.stopping = false;
	lease_holder_make(sched.holder, sizeof(sched.holder));
	if (pthread_create(&sched.thread, NULL, worker, NULL) != 0) {
		free(sched.path);
		sched.path = NULL;
		return ERR_IO;
	}
	sched.running = true;
	return ERR_OK;
}

void scheduler_stop(void)
{
	if (!sched.running)
		return;
	pthread_mutex_lock(&sched.lock);
	sched.stopping = true;
	pthread_cond_signal(&sched.wake);
	pthread_mutex_unlock(&sched.lock);
	pthread_join(sched.thread, NULL);
	sched.running = false;
	free(sched.path);
	sched.path = NULL;
}
