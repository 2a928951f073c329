import { Global, Module, type DynamicModule } from '@nestjs/common';
import { CLOCK, type Clock } from '@bedside/shared';

/** Provides the one Clock (libs/shared/src/clock.ts) to every handler, reactor and resolver. */
@Global()
@Module({})
export class ClockModule {
  static forRoot(clock: Clock): DynamicModule {
    return { module: ClockModule, providers: [{ provide: CLOCK, useValue: clock }], exports: [CLOCK] };
  }
}
