import { CapacityCommitmentChanges1763700001200, CapacityTables1763700000900, CapacityUnitDeployments1763700001310 } from '@bedside/capacity';
import { EVENT_STORE_MIGRATIONS } from '@bedside/event-store';
import { CreateNetworkModel1763700000300, CreateSites1763700000200, DropUnitCurrentSiteCode1763700001360, SiteRegions1763700001320, UnitDeployments1763700001300, DistrictTravelTimes1763700001410 } from '@bedside/network';
import { CreateAtRiskFlags1763700001100, CreatePathways1763700000500, PathwayPostponement1763700000700, PathwayProgress1763700000600, PathwaySteps1763700001380, CreateBatches1763700001390, PathwayStay1763700001400 } from '@bedside/pathways';
import { CreateScenarioRuns1763700001330, CreateScenarios1763700001000, ScenarioPlanCommits1763700001340, ScenarioRunCarT1763700001350 } from '@bedside/planning';
import { CreateProjectionCheckpoints1763700000100, CreateReactorTimers1763700000950 } from '@bedside/read-model';

/** Every schema migration of the application, in the order they apply. */
export const MIGRATIONS = [...EVENT_STORE_MIGRATIONS, CreateProjectionCheckpoints1763700000100, CreateSites1763700000200, CreateNetworkModel1763700000300, CreatePathways1763700000500, PathwayProgress1763700000600, PathwayPostponement1763700000700, CapacityTables1763700000900, CreateReactorTimers1763700000950, CreateScenarios1763700001000, CreateAtRiskFlags1763700001100, CapacityCommitmentChanges1763700001200, UnitDeployments1763700001300, CapacityUnitDeployments1763700001310, SiteRegions1763700001320, CreateScenarioRuns1763700001330, ScenarioPlanCommits1763700001340, ScenarioRunCarT1763700001350, DropUnitCurrentSiteCode1763700001360, PathwaySteps1763700001380, CreateBatches1763700001390, PathwayStay1763700001400, DistrictTravelTimes1763700001410];
