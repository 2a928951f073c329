import { Global, Module, type DynamicModule } from '@nestjs/common';
import { SIGNATURE_POLICY, type SignaturePolicy } from '@bedside/shared';

/** Provides how recent a sign-in must be to sign (libs/shared/src/signature.ts) to every handler that takes a signature. */
@Global()
@Module({})
export class SignaturePolicyModule {
  static forRoot(policy: SignaturePolicy): DynamicModule {
    return { module: SignaturePolicyModule, providers: [{ provide: SIGNATURE_POLICY, useValue: policy }], exports: [SIGNATURE_POLICY] };
  }
}
