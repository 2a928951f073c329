import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { BedsideError, type ErrorCode } from '@bedside/shared';

const STATUS: Record<ErrorCode, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  SLOT_TAKEN: 409,
  HOLD_EXPIRED: 409,
  STEP_OUT_OF_ORDER: 409,
  RATE_LIMITED: 429,
};

/** Plain HTTP routes (the CSV export) answer Bedside's errors with their HTTP status and the same code and message as GraphQL. */
@Catch(BedsideError)
export class BedsideHttpErrorsFilter implements ExceptionFilter {
  catch(error: BedsideError, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    reply.status(STATUS[error.code]).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify({ code: error.code, message: error.message, ...error.details }));
  }
}
