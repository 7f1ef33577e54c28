/*
 * The worker pool (workpool.h): a ring of queue_max job slots under one
 * mutex, workers waiting on a condition variable for work. Submission
 * only ever takes the mutex for a moment, so it cannot block a server
 * thread behind a slow job.
 *
 * Invariant: 0 <= n_queued <= queue_max; a job leaves the ring before it
 * runs, and n_running counts the jobs between leaving the ring and the
 * end of their done callback. After stopping is set no job enters the
 * ring, and the workers exit only once it is empty.
 */
#include "core/workpool.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/errors.h"

#define WORKERS_MAX 64
#define QUEUE_MAX 65536
/* Workers yield the CPU to the threads that answer requests: slow work
 * may wait a little, the console must not. */
#define WORKER_NICE 10

struct job {
	workpool_fn work;
	workpool_fn done;
	void *arg;
};

struct workpool {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct job *ring;
	unsigned queue_max;
	unsigned head;      /* the oldest waiting job */
	unsigned n_queued;
	unsigned n_running;
	int stopping;
	unsigned n_threads; /* started */
	pthread_t threads[WORKERS_MAX];
};

/* Takes the oldest job, waiting for one; 0, or -1 when the pool stops
 * and the ring is empty. Called with the lock held. */
static int
take_job(struct workpool *p, struct job *j)
{
	while (p->n_queued == 0 && !p->stopping)
		pthread_cond_wait(&p->wake, &p->lock);
	if (p->n_queued == 0)
		return -1;
	*j = p->ring[p->head];
	p->head = (p->head + 1) % p->queue_max;
	p->n_queued--;
	p->n_running++;
	return 0;
}

static void *
worker_main(void *cls)
{
	struct workpool *p = cls;
	struct job j;

	/* Linux: a thread's nice value is its own (best effort). */
	(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), WORKER_NICE);
	pthread_mutex_lock(&p->lock);
	while (take_job(p, &j) == 0) {
		pthread_mutex_unlock(&p->lock);
		j.work(j.arg);
		if (j.done != NULL)
			j.done(j.arg);
		pthread_mutex_lock(&p->lock);
		p->n_running--;
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* Stops the started workers once the ring is empty and frees p. */
static void
pool_free(struct workpool *p)
{
	pthread_mutex_lock(&p->lock);
	p->stopping = 1;
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->lock);
	for (unsigned i = 0; i < p->n_threads; i++)
		pthread_join(p->threads[i], NULL);
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
	free(p->ring);
	free(p);
}

int
workpool_create(unsigned workers, unsigned queue_max, const char *name,
		struct workpool **out)
{
	struct workpool *p;
	char tname[16];

	*out = NULL;
	if (workers < 1 || workers > WORKERS_MAX || queue_max < 1 ||
	    queue_max > QUEUE_MAX)
		return -GH_BAD_FIELD;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return -GH_INTERNAL;
	p->ring = calloc(queue_max, sizeof(*p->ring));
	if (p->ring == NULL) {
		free(p);
		return -GH_INTERNAL;
	}
	p->queue_max = queue_max;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	snprintf(tname, sizeof(tname), "%s", name != NULL ? name : "work");
	for (unsigned i = 0; i < workers; i++) {
		if (pthread_create(&p->threads[i], NULL, worker_main, p) != 0) {
			pool_free(p);
			return -GH_INTERNAL;
		}
		pthread_setname_np(p->threads[i], tname);
		p->n_threads++;
	}
	*out = p;
	return 0;
}

int
workpool_submit(struct workpool *p, workpool_fn work, workpool_fn done,
		void *arg)
{
	int rc = 0;

	pthread_mutex_lock(&p->lock);
	if (p->stopping)
		rc = -GH_UNAVAILABLE;
	else if (p->n_queued == p->queue_max)
		rc = -GH_SERVER_BUSY;
	else {
		p->ring[(p->head + p->n_queued) % p->queue_max] =
			(struct job){work, done, arg};
		p->n_queued++;
		pthread_cond_signal(&p->wake);
	}
	pthread_mutex_unlock(&p->lock);
	return rc;
}

int
workpool_has_room(struct workpool *p)
{
	int room;

	pthread_mutex_lock(&p->lock);
	room = !p->stopping && p->n_queued < p->queue_max;
	pthread_mutex_unlock(&p->lock);
	return room;
}

size_t
workpool_load(struct workpool *p)
{
	size_t n;

	pthread_mutex_lock(&p->lock);
	n = (size_t)p->n_queued + p->n_running;
	pthread_mutex_unlock(&p->lock);
	return n;
}

void
workpool_destroy(struct workpool *p)
{
	if (p != NULL)
		pool_free(p);
}
