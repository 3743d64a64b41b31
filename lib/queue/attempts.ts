/*
 * How many times SQS hands out a work message before parking it in its queue's dead-letter queue: every work
 * queue's maxReceiveCount in infra/resources.yml (test/unit/queue/attempts.test.ts keeps the two equal). The
 * workflows' "give up and record the failure" decisions are counted from it, never written down again.
 */
export const MAX_RECEIVE_COUNT = 5;

/**
 * The delivery on which a step that keeps failing stops handing the message back and records the failure on its
 * job: one before the last, so that if recording it fails too, SQS still has a delivery left to try again.
 */
export const LAST_ATTEMPT = MAX_RECEIVE_COUNT - 1;
