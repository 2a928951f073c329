import { useEffect, useMemo, useState } from 'preact/hooks';
import { lazy, LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { Provider } from '@urql/preact';
import { apiClient } from './api';
import { Header, Main } from './layout';
import { Home, NotFound } from './pages/home';
import { AtRisk } from './pages/at-risk';
import { Dashboard } from './pages/dashboard';
import { Deployments } from './pages/deployments';
import { Audit } from './pages/audit';
import { Pathway } from './pages/pathway';
import { Patients } from './pages/patients';
import { Products } from './pages/products';
import { Refer } from './pages/refer';
import { SignIn } from './pages/sign-in';
import { Sites } from './pages/sites';
import { Waitlist } from './pages/waitlist';
import { clearSession, loadSession, PATIENT_LEVEL, saveSession, type Session } from './session';

// The heatmap brings Apache ECharts: loaded when first opened, so the first page loads without it.
const Capacity = lazy(() => import('./pages/capacity'));
// A planner's scenarios: their runs' charts bring ECharts too, so all of them load when first opened.
const Scenarios = lazy(() => import('./pages/scenarios'));
const ScenarioForm = lazy(() => import('./pages/scenario-form'));
const Scenario = lazy(() => import('./pages/scenario'));
const ScenarioRun = lazy(() => import('./pages/scenario-run'));
const RunComparison = lazy(() => import('./pages/run-comparison'));

/** The page for an address, or sign-in first when nobody is signed in (then back to the page asked for). */
function Pages({ session, onSignedIn }: { session: Session | null; onSignedIn: (s: Session) => void }) {
  const { path, route } = useLocation();
  const api = useMemo(() => (session ? apiClient(session) : null), [session]);
  // A sign-out (or another sign-in) closes the old sign-in's live connection.
  useEffect(() => () => api?.dispose(), [api]);
  const client = api?.client ?? null;
  if (!session || !client || path === '/sign-in') {
    return (
      <SignIn
        onSignedIn={(s) => {
          onSignedIn(s);
          if (path === '/sign-in' || path === '/') route(PATIENT_LEVEL.includes(s.role) ? '/patients' : s.role === 'dashboard' ? '/dashboard' : '/');
        }}
      />
    );
  }
  return (
    <Provider value={client}>
      <Router>
        <Route path="/" component={() => <Home session={session} />} />
        <Route path="/patients" component={() => <Patients session={session} />} />
        <Route path="/patients/:coi" component={Pathway} />
        <Route path="/refer" component={() => <Refer session={session} />} />
        <Route path="/at-risk" component={AtRisk} />
        <Route path="/waitlist" component={Waitlist} />
        <Route path="/capacity" component={Capacity} />
        <Route path="/dashboard" component={Dashboard} />
        <Route path="/sites" component={() => <Sites session={session} />} />
        <Route path="/products" component={Products} />
        <Route path="/deployments" component={Deployments} />
        <Route path="/audit" component={() => <Audit session={session} />} />
        <Route path="/scenarios" component={() => <Scenarios session={session} />} />
        <Route path="/scenarios/new" component={ScenarioForm} />
        <Route path="/scenarios/:id/edit" component={ScenarioForm} />
        <Route path="/scenarios/:id" component={() => <Scenario session={session} />} />
        <Route path="/runs/:id" component={() => <ScenarioRun session={session} />} />
        <Route path="/compare" component={RunComparison} />
        <Route default component={NotFound} />
      </Router>
    </Provider>
  );
}

export function App() {
  const [session, setSession] = useState(loadSession);
  const signIn = (s: Session) => {
    saveSession(s);
    setSession(s);
  };
  const signOut = () => {
    clearSession();
    setSession(null);
  };
  return (
    <LocationProvider>
      <Header session={session} onSignOut={signOut} />
      <Main>
        <Pages session={session} onSignedIn={signIn} />
      </Main>
    </LocationProvider>
  );
}
